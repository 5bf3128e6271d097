package dev.kiln.plugin.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Guards the plugin SPI, after Trino's {@code TestSpiBackwardCompatibility}: every public type
 * and public or protected member of {@code dev.kiln.plugin.api} is compared with the committed
 * record {@code spi-signatures.txt}.
 *
 * <ul>
 *   <li>A recorded signature that is gone or changed breaks plugins compiled against an older
 *       Kiln: the test fails, unless the record says which version broke it, with a line
 *       {@code broken in <version>: <signature>} (the version no later than
 *       {@link KilnPluginApi#VERSION}, whose major part is bumped so old plugins are refused at
 *       install instead of failing at run time).</li>
 *   <li>A new signature passes (a new type, a {@code default} method, a new record), except a new
 *       abstract method in an interface the record already has: every implementation of it
 *       breaks, so it fails like a removal unless a {@code broken in} line names it.</li>
 * </ul>
 *
 * <p>To record the current SPI (the {@code broken in} lines are kept):
 * {@code mvn -pl plugin-api verify -Dkiln.spi.record=true}, then commit the changed
 * {@code plugin-api/src/test/resources/dev/kiln/plugin/api/spi-signatures.txt}.
 */
class SpiCompatibilityTest {

    private static final String RECORD = "spi-signatures.txt";
    private static final Path RECORD_SOURCE = Path.of("src", "test", "resources", "dev", "kiln", "plugin", "api", RECORD);
    private static final String HOW_TO_BREAK = "\nIf this break is deliberate, bump the major part of KilnPluginApi.VERSION and add to plugin-api/"
            + RECORD_SOURCE + " a line 'broken in <that version>: <signature>' for each (see SpiCompatibilityTest's javadoc).";
    private static final String HOW_TO_RECORD = "\nIf this is a deliberate change, run `mvn -pl plugin-api verify -Dkiln.spi.record=true` "
            + "and commit plugin-api/" + RECORD_SOURCE + " (see SpiCompatibilityTest's javadoc).";

    private static final String BROKEN_IN = "broken in ";

    @Test
    void theSpiMatchesTheRecord() throws Exception {
        TreeSet<String> current = currentSignatures();
        List<String> record = recordLines();
        TreeMap<String, String> brokenIn = brokenIn(record);
        if (Boolean.getBoolean("kiln.spi.record")) {
            TreeSet<String> lines = new TreeSet<>(current);
            brokenIn.forEach((signature, version) -> lines.add(BROKEN_IN + version + ": " + signature));
            Files.writeString(RECORD_SOURCE, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            return;
        }
        TreeSet<String> recorded = record.stream().filter(line -> !line.startsWith(BROKEN_IN))
                .collect(Collectors.toCollection(TreeSet::new));

        TreeSet<String> removed = new TreeSet<>(recorded);
        removed.removeAll(current);
        removed.removeAll(brokenIn.keySet());
        assertThat(removed)
                .as("SPI signatures removed or changed; plugins compiled against the recorded SPI would break:%n  %s%s",
                        String.join("\n  ", removed), HOW_TO_BREAK)
                .isEmpty();

        // An abstract method joining an interface the record has breaks every implementation of it.
        TreeSet<String> recordedInterfaces = recorded.stream().filter(line -> line.matches("\\S+ :: public interface.*"))
                .map(line -> line.substring(0, line.indexOf(" :: "))).collect(Collectors.toCollection(TreeSet::new));
        TreeSet<String> newAbstract = current.stream().filter(line -> !recorded.contains(line) && !brokenIn.containsKey(line))
                .filter(line -> line.contains(" abstract ") && recordedInterfaces.contains(line.substring(0, line.indexOf(" :: "))))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(newAbstract)
                .as("abstract methods added to existing SPI interfaces; every plugin implementing them would break "
                        + "(give them a default body):%n  %s%s", String.join("\n  ", newAbstract), HOW_TO_BREAK)
                .isEmpty();

        for (var entry : brokenIn.entrySet()) {
            assertThat(compareVersions(entry.getValue(), KilnPluginApi.VERSION))
                    .as("'%s%s: %s' names a version after this one (%s)", BROKEN_IN, entry.getValue(), entry.getKey(), KilnPluginApi.VERSION)
                    .isLessThanOrEqualTo(0);
        }
    }

    @Test
    void aRemovalPassesOnlyWithTheVersionThatBrokeIt() {
        TreeMap<String, String> brokenIn = brokenIn(List.of("a.B :: public interface", BROKEN_IN + "0.1.0: a.B :: public void a.B.gone()"));
        assertThat(brokenIn).containsOnly(java.util.Map.entry("a.B :: public void a.B.gone()", "0.1.0"));
        assertThat(compareVersions("0.1.0", "0.2.0")).isNegative();
        assertThat(compareVersions("1.0.0", "0.9.9")).isPositive();
    }

    private static TreeMap<String, String> brokenIn(List<String> record) {
        TreeMap<String, String> broken = new TreeMap<>();
        for (String line : record) {
            if (line.startsWith(BROKEN_IN)) {
                int colon = line.indexOf(": ");
                assertThat(colon).as("a 'broken in' line reads 'broken in <version>: <signature>': " + line).isPositive();
                String version = line.substring(BROKEN_IN.length(), colon).trim();
                assertThat(version).as("the version in: " + line).matches("\\d+(\\.\\d+)*");
                broken.put(line.substring(colon + 2), version);
            }
        }
        return broken;
    }

    private static int compareVersions(String left, String right) {
        int[] a = Arrays.stream(left.split("\\.")).mapToInt(Integer::parseInt).toArray();
        int[] b = Arrays.stream(right.split("\\.")).mapToInt(Integer::parseInt).toArray();
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int difference = Integer.compare(i < a.length ? a[i] : 0, i < b.length ? b[i] : 0);
            if (difference != 0) {
                return difference;
            }
        }
        return 0;
    }

    @Test
    void theRecordHasTheWholeSpi() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("kiln.spi.record"), "recording");
        assertThat(recordedSignatures()).anyMatch(line -> line.contains("dev.kiln.plugin.api.Builder.build("));
    }

    private static List<String> recordLines() throws IOException {
        try (InputStream in = SpiCompatibilityTest.class.getResourceAsStream(RECORD)) {
            assertThat(in).as("the record " + RECORD + " is missing" + HOW_TO_RECORD).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank()).toList();
        }
    }

    private static TreeSet<String> recordedSignatures() throws IOException {
        return recordLines().stream().filter(line -> !line.startsWith(BROKEN_IN)).collect(Collectors.toCollection(TreeSet::new));
    }

    static TreeSet<String> currentSignatures() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(KilnPluginApi.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path packageDirectory = classes.resolve("dev/kiln/plugin/api");
        List<String> names;
        try (Stream<Path> files = Files.list(packageDirectory)) {
            names = files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".class"))
                    .filter(name -> !name.equals("package-info.class"))
                    .map(name -> "dev.kiln.plugin.api." + name.substring(0, name.length() - ".class".length()))
                    .toList();
        }
        TreeSet<String> signatures = new TreeSet<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, SpiCompatibilityTest.class.getClassLoader());
            if (!Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            signatures.add(describe(type));
            List<Member> members = new ArrayList<>();
            members.addAll(Arrays.asList(type.getDeclaredConstructors()));
            members.addAll(Arrays.asList(type.getDeclaredMethods()));
            members.addAll(Arrays.asList(type.getDeclaredFields()));
            for (Member member : members) {
                int modifiers = member.getModifiers();
                if (member.isSynthetic() || !(Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers) && !Modifier.isFinal(type.getModifiers()))) {
                    continue;
                }
                String text = member instanceof Method method ? method.toGenericString()
                        : member instanceof Constructor<?> constructor ? constructor.toGenericString()
                        : ((Field) member).toGenericString();
                signatures.add(type.getName() + " :: " + text);
            }
        }
        return signatures;
    }

    private static String describe(Class<?> type) {
        StringBuilder text = new StringBuilder(type.getName()).append(" :: ");
        text.append(Modifier.toString(type.getModifiers() & ~Modifier.ABSTRACT & ~Modifier.INTERFACE & ~Modifier.STATIC)).append(' ');
        text.append(type.isInterface() ? "interface" : type.isRecord() ? "record" : type.isEnum() ? "enum" : "class");
        if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class && !type.isRecord() && !type.isEnum()) {
            text.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        if (type.getGenericInterfaces().length > 0) {
            text.append(type.isInterface() ? " extends " : " implements ").append(Arrays.stream(type.getGenericInterfaces())
                    .map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(", ")));
        }
        return text.toString();
    }
}
