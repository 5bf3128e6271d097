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
 *       Kiln: the test fails. Do it only deliberately, bumping the major part of
 *       {@link KilnPluginApi#VERSION} so old plugins are refused at install instead of failing
 *       at run time.</li>
 *   <li>A new signature is usually compatible (a new type, a {@code default} method), but it
 *       must still be recorded, so that every SPI change shows up in review as a change to the
 *       record; a new abstract method in an existing interface is not compatible.</li>
 * </ul>
 *
 * <p>To record the current SPI after such a decision:
 * {@code mvn -pl plugin-api verify -Dkiln.spi.record=true}, then commit the changed
 * {@code plugin-api/src/test/resources/dev/kiln/plugin/api/spi-signatures.txt}.
 */
class SpiCompatibilityTest {

    private static final String RECORD = "spi-signatures.txt";
    private static final Path RECORD_SOURCE = Path.of("src", "test", "resources", "dev", "kiln", "plugin", "api", RECORD);
    private static final String HOW_TO_RECORD = "\nIf this is a deliberate change, run `mvn -pl plugin-api verify -Dkiln.spi.record=true` "
            + "and commit plugin-api/" + RECORD_SOURCE + " (see SpiCompatibilityTest's javadoc).";

    @Test
    void theSpiMatchesTheRecord() throws Exception {
        TreeSet<String> current = currentSignatures();
        if (Boolean.getBoolean("kiln.spi.record")) {
            Files.writeString(RECORD_SOURCE, String.join("\n", current) + "\n", StandardCharsets.UTF_8);
            return;
        }
        TreeSet<String> recorded = recordedSignatures();

        TreeSet<String> removed = new TreeSet<>(recorded);
        removed.removeAll(current);
        assertThat(removed)
                .as("SPI signatures removed or changed; plugins compiled against the recorded SPI would break:%n  %s%s",
                        String.join("\n  ", removed), HOW_TO_RECORD)
                .isEmpty();

        TreeSet<String> added = new TreeSet<>(current);
        added.removeAll(recorded);
        assertThat(added)
                .as("SPI signatures not recorded yet (additions are compatible unless an abstract method joins an existing "
                        + "interface):%n  %s%s", String.join("\n  ", added), HOW_TO_RECORD)
                .isEmpty();
    }

    @Test
    void theRecordHasTheWholeSpi() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("kiln.spi.record"), "recording");
        assertThat(recordedSignatures()).anyMatch(line -> line.contains("dev.kiln.plugin.api.Builder.build("));
    }

    private static TreeSet<String> recordedSignatures() throws IOException {
        try (InputStream in = SpiCompatibilityTest.class.getResourceAsStream(RECORD)) {
            assertThat(in).as("the record " + RECORD + " is missing" + HOW_TO_RECORD).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
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
