package dev.kiln.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin guide ({@code docs/writing-a-plugin.md}) as a third party uses it: its snippets,
 * copied into a new directory, build a plugin with the Maven on this machine, on their own, with
 * {@code kiln-plugin-api} taken from a repository as a published jar would be. The snippets are
 * also the example's files, which Kiln's reactor builds.
 */
class PluginGuideIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SNIPPET = Pattern.compile("<!-- file: (\\S+) -->\\s*```\\w*\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path temp;

    @Test
    void theGuidesSnippetsAreTheExamplesFiles() throws IOException {
        Map<String, String> snippets = snippets();
        assertThat(snippets).containsKeys("pom.xml", "src/main/java/dev/kiln/example/ExampleBuilder.java",
                "src/main/java/dev/kiln/example/ExamplePlugin.java");
        for (var snippet : snippets.entrySet()) {
            Path file = ROOT.resolve("examples/builder-example").resolve(snippet.getKey());
            assertThat(Files.readString(file, StandardCharsets.UTF_8).strip())
                    .as("the guide's %s is examples/builder-example/%s", snippet.getKey(), snippet.getKey())
                    .isEqualTo(snippet.getValue().strip());
        }
    }

    @Test
    void theGuidesSnippetsBuildAPluginOnTheirOwn() throws Exception {
        Path project = temp.resolve("my-plugin");
        for (var snippet : snippets().entrySet()) {
            Path file = project.resolve(snippet.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, snippet.getValue(), StandardCharsets.UTF_8);
        }
        // The plugin API as a third party gets it: a jar in a repository, not Kiln's reactor.
        Path repository = temp.resolve("repository");
        Path apiJar;
        try (var jars = Files.list(ROOT.resolve("plugin-api/target"))) {
            apiJar = jars.filter(path -> path.getFileName().toString().matches("kiln-plugin-api-[0-9.]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("plugin-api/target has no kiln-plugin-api jar: build the reactor first"));
        }
        String version = apiJar.getFileName().toString().replace("kiln-plugin-api-", "").replace(".jar", "");
        run(project, "mvn", "-B", "-q", "install:install-file", "-Dfile=" + apiJar, "-DgroupId=dev.kiln",
                "-DartifactId=kiln-plugin-api", "-Dversion=" + version, "-Dpackaging=jar", "-DlocalRepositoryPath=" + repository);
        Path settings = temp.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <profiles><profile><id>guide</id><repositories><repository>
                    <id>guide-api</id><url>%s</url><snapshots><enabled>true</enabled></snapshots>
                  </repository></repositories></profile></profiles>
                  <activeProfiles><activeProfile>guide</activeProfile></activeProfiles>
                </settings>
                """.formatted(repository.toUri()), StandardCharsets.UTF_8);
        run(project, "mvn", "-B", "-q", "-s", settings.toString(), "package", "-Dkiln.version=" + version);

        Path jar = project.resolve("target/kiln-builder-example-1.0.0.jar");
        assertThat(jar).exists();
        try (JarFile built = new JarFile(jar.toFile())) {
            assertThat(built.getManifest().getMainAttributes().getValue("Plugin-Id")).isEqualTo("builder-example");
            assertThat(built.getEntry("META-INF/extensions.idx")).as("the annotation processor ran").isNotNull();
            assertThat(new String(built.getInputStream(built.getEntry("META-INF/extensions.idx")).readAllBytes(), StandardCharsets.UTF_8))
                    .contains("dev.kiln.example.ExampleBuilder");
            assertThat(built.getEntry("dev/kiln/plugin/api/Builder.class")).as("the API is provided, not bundled").isNull();
        }
    }

    private static Map<String, String> snippets() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/writing-a-plugin.md"), StandardCharsets.UTF_8);
        Map<String, String> snippets = new LinkedHashMap<>();
        Matcher matcher = SNIPPET.matcher(guide);
        while (matcher.find()) {
            snippets.put(matcher.group(1), matcher.group(2));
        }
        return snippets;
    }

    private static void run(Path directory, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(command));
        Path log = Files.createTempFile("plugin-guide", ".log");
        Process process = new ProcessBuilder(line).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", line) + " did not finish in 10 minutes");
        }
        assertThat(process.exitValue()).as("%s\n%s", String.join(" ", line), Files.readString(log)).isZero();
    }
}
