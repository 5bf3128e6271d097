package dev.kiln.plugin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The project's install_command, build_command and output_directory, applied the same way for every builder. */
class BuildStepsTest {

    @TempDir
    Path checkout;

    private final List<String> lines = new ArrayList<>();
    private final List<Command> ran = new ArrayList<>();

    /** A build context whose runner records the commands and succeeds unless a command is {@code false}. */
    private BuildContext context(Path source, BuildSettings settings) {
        CommandRunner runner = command -> {
            ran.add(command);
            return new CommandResult(command.arguments().contains("false") ? 1 : 0, List.of());
        };
        return new BuildContext() {
            public long deploymentId() {
                return 1;
            }

            public String projectSlug() {
                return "site";
            }

            public Path checkoutDirectory() {
                return checkout;
            }

            public Path sourceDirectory() {
                return source;
            }

            public BuildSettings settings() {
                return settings;
            }

            public Map<String, String> environment() {
                return Map.of();
            }

            public Path cacheDirectory() {
                return checkout.resolve("cache");
            }

            public String deploymentUrl() {
                return "http://127.0.0.1/";
            }

            public BuildLog log() {
                return lines::add;
            }

            public CommandRunner commands() {
                return runner;
            }

            public Optional<Path> findProgram(String program) {
                return Optional.empty();
            }

            public boolean isCancelled() {
                return false;
            }
        };
    }

    private static BuildSettings settings(String install, String build, String output) {
        return new BuildSettings(install, build, output, Map.of());
    }

    @Test
    void theBuildersCommandsRunWhenTheProjectSetsNone() throws Exception {
        BuildContext context = context(checkout, settings(null, " ", null));
        Command install = new Command(List.of("npm", "ci"), checkout, Map.of("npm_config_cache", "/c"));

        assertThat(context.install(Map.of("PATH", "/bin"), install)).isTrue();
        assertThat(context.build(Map.of(), null)).isFalse();

        assertThat(ran).containsExactly(install);
        assertThat(lines).containsExactly("[kiln] install: npm ci");
    }

    @Test
    void theProjectsCommandsReplaceTheBuildersWithTheBuildersEnvironment() throws Exception {
        BuildContext context = context(checkout, settings("make deps", "make site", null));

        context.install(Map.of("PATH", "/tools/bin"), new Command(List.of("npm", "ci"), checkout, Map.of()));
        context.build(Map.of("PATH", "/tools/bin"), null);

        assertThat(ran).containsExactly(
                new Command(List.of("sh", "-c", "make deps"), checkout, Map.of("PATH", "/tools/bin")),
                new Command(List.of("sh", "-c", "make site"), checkout, Map.of("PATH", "/tools/bin")));
        assertThat(lines).containsExactly("[kiln] install: make deps", "[kiln] build: make site");
    }

    @Test
    void aFailingStepFailsTheBuild() {
        BuildContext context = context(checkout, settings(null, "false", null));

        assertThatThrownBy(() -> context.build(Map.of(), null)).isInstanceOf(BuildException.class)
                .hasMessageStartingWith("`sh -c false` exited with code 1");
    }

    @Test
    void logsPathsInTheSourceRelativelyAndTheFolderAStepRunsIn() throws Exception {
        Path source = Files.createDirectories(checkout.resolve("apps/web"));
        BuildContext context = context(source, settings(null, null, null));

        context.install(Map.of(), new Command(List.of("pnpm", "install"), checkout, Map.of()));
        context.build(Map.of(), new Command(List.of("sh", source.resolve("mvnw").toString(), "-B"), source, Map.of()));

        assertThat(lines).containsExactly("[kiln] install: pnpm install in the repository root", "[kiln] build: sh ./mvnw -B");
    }

    @Test
    void theProjectsOutputDirectoryWinsAndIsChecked() throws Exception {
        Path dist = Files.createDirectories(checkout.resolve("dist"));
        Path builders = Files.createDirectories(checkout.resolve("public"));

        assertThat(context(checkout, settings(null, null, "dist")).output(() -> builders)).isEqualTo(dist);
        assertThat(context(checkout, settings(null, null, null)).output(() -> builders)).isEqualTo(builders);
        assertThat(context(checkout, settings(null, null, "dist/")).configuredOutput()).contains(dist);
        assertThatThrownBy(() -> context(checkout, settings(null, null, "www")).output(() -> builders))
                .hasMessage("output_directory 'www' does not exist after the build");
        assertThatThrownBy(() -> context(checkout, settings(null, null, "../elsewhere")).configuredOutput())
                .hasMessage("output_directory '../elsewhere' is outside the repository");
        assertThatThrownBy(() -> context(checkout, settings(null, null, null)).output(() -> {
            throw new BuildException("the build wrote no site");
        })).hasMessage("the build wrote no site");
    }
}
