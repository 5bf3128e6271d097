package dev.kiln.plugin.maven;

import dev.kiln.core.testing.BuildRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.RequiredTools;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.Detection;

/** The builder run directly; the Maven builds are real and offline (see {@link MavenSite}). */
class MavenBuilderTest {

    @TempDir
    Path temp;
    BuildRun run;
    final MavenBuilder builder = new MavenBuilder();

    @BeforeEach
    void setUp() throws Exception {
        run = new BuildRun(temp);
    }

    private void writeSite() throws Exception {
        for (var file : MavenSite.files("built by maven").entrySet()) {
            run.write(file.getKey(), file.getValue());
        }
    }

    /** Builder options with the tests' local repository, plus the given ones. */
    private static Map<String, String> options(String... pairs) {
        Map<String, String> options = new HashMap<>();
        if (MavenSite.localRepository() != null) {
            options.put("local_repository", MavenSite.localRepository());
        }
        for (int i = 0; i < pairs.length; i += 2) {
            options.put(pairs[i], pairs[i + 1]);
        }
        return options;
    }

    @Test
    void detectsAPomAndNeedsMvn() throws Exception {
        assertThat(builder.detect(run.source())).isEmpty();
        run.write("pom.xml", "<project/>");
        assertThat(builder.detect(run.source())).contains(new Detection("maven", 50));
        assertThat(builder.id()).isEqualTo("maven");
        assertThat(builder.requiredTools()).containsExactly("mvn");
    }

    @Test
    void packageWritesTheSiteAndItIsDeployed() throws Exception {
        RequiredTools.assumeInstalled("mvn");
        writeSite();
        run.settings(null, null, null, options());

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("target/site"));
        assertThat(output.framework()).isEqualTo("maven");
        assertThat(Files.readString(output.directory().resolve("index.html"))).isEqualTo("<h1>built by maven</h1>\n");
        String repository = MavenSite.localRepository() == null ? "" : " -Dmaven.repo.local=" + MavenSite.localRepository();
        assertThat(run.lines()).containsSubsequence(
                "[kiln] maven: mvn --version",
                "[kiln] build: mvn -B -ntp" + repository + " package",
                "[kiln] output: target/site");
        assertThat(run.lines()).anyMatch(line -> line.contains("Apache Maven 3."));
        assertThat(run.lines()).anyMatch(line -> line.contains("BUILD SUCCESS"));
    }

    @Test
    void theGoalAndOutputOptionsChooseWhatRunsAndWhatIsDeployed() throws Exception {
        RequiredTools.assumeInstalled("mvn");
        writeSite();
        Files.createDirectories(run.source().resolve("target/stale"));
        run.settings(null, null, null, options("goal", " clean   package ", "output", "target"));

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("target"));
        assertThat(output.directory().resolve("site/index.html")).exists();
        assertThat(output.directory().resolve("stale")).doesNotExist();
        assertThat(run.lines()).anyMatch(line -> line.startsWith("[kiln] build: mvn -B -ntp") && line.endsWith(" clean package"));
    }

    @Test
    void aGoalThatWritesNothingIsReported() throws Exception {
        RequiredTools.assumeInstalled("mvn");
        writeSite();
        // The local repository is not needed to validate; this checks that ~/ means the build's HOME.
        run.env("HOME", temp.toString()).settings(null, null, null, Map.of("goal", "validate", "local_repository", "~/m2"));

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessage("the build wrote no site: neither target/site nor target holds an index.html (a plain `mvn package` makes none; "
                        + "run the goals that do with the builder option goal, for example `package site`); set the builder option output "
                        + "or the project's output_directory to the folder the build writes the site to");
        assertThat(run.lines()).contains("[kiln] local repository: " + temp.resolve("m2"),
                "[kiln] build: mvn -B -ntp -Dmaven.repo.local=" + temp.resolve("m2") + " validate");
    }

    @Test
    void aFailingBuildReportsMavensError() throws Exception {
        RequiredTools.assumeInstalled("mvn");
        writeSite();
        run.write("pom.xml", Files.readString(run.source().resolve("pom.xml")).replace("<packaging>pom</packaging>", "<packaging>nonsense</packaging>"));
        run.settings(null, null, null, Map.of());

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessageStartingWith("`mvn -B -ntp package` exited with code 1; last lines:")
                .hasMessageContaining("Unknown packaging: nonsense");
    }

    @Test
    void aBuildCommandReplacesMaven() throws Exception {
        run.write("pom.xml", "<project/>").settings("echo installing",
                "mkdir -p target && echo custom > target/index.html", null, Map.of("goal", "site"));

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("target"));
        assertThat(run.lines()).containsExactly(
                "[kiln] install: echo installing",
                "installing",
                "[kiln] build: mkdir -p target && echo custom > target/index.html",
                "[kiln] output: target");
    }

    @Test
    void anOutputDirectoryMustExistInsideTheRepository() throws Exception {
        run.write("pom.xml", "<project/>").settings(null, "mkdir -p target/site", "public", Map.of("output", "target/site"));
        assertThatThrownBy(() -> run.build(builder)).hasMessage("output_directory 'public' does not exist after the build");

        run.settings(null, "mkdir -p target", null, Map.of("output", "target/docs"));
        assertThatThrownBy(() -> run.build(builder)).hasMessage("builder option output 'target/docs' does not exist after the build");

        run.settings(null, "touch ran", null, Map.of("output", "../../.."));
        assertThatThrownBy(() -> run.build(builder)).hasMessage("builder option output '../../..' is outside the repository");
        assertThat(run.source().resolve("ran")).doesNotExist();
    }

    @Test
    void aRelativeLocalRepositoryIsRefusedBeforeAnythingRuns() throws Exception {
        run.write("pom.xml", "<project/>").settings("touch ran", null, null, Map.of("local_repository", ".m2/repository"));

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessage("builder option local_repository must be an absolute path (or start with ~/): '.m2/repository'");
        assertThat(run.lines()).isEmpty();
    }

    @Test
    void aSiteFolderWithoutAHomePageIsNotDeployed() throws Exception {
        // As maven's CycloneDX plugin leaves it: target/site with an SBOM and nothing to serve.
        run.write("pom.xml", "<project/>").settings(null, "mkdir -p target/site && echo '{}' > target/site/bom.json", null, Map.of());

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessageStartingWith("the build wrote no site: neither target/site nor target holds an index.html");
    }

    @Test
    void theProjectsMavenWrapperRunsInsteadOfMvn() throws Exception {
        run.write("pom.xml", "<project/>").write("mvnw", """
                #!/bin/sh
                echo "wrapper ran with $*"
                mkdir -p target/site && echo wrapped > target/site/index.html
                """);
        // Committed without its executable bit, as happens on Windows: run through sh.
        run.settings(null, null, null, Map.of());

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("target/site"));
        assertThat(run.lines()).containsSubsequence("[kiln] maven: sh ./mvnw --version (the project's Maven wrapper)", "wrapper ran with --version",
                "[kiln] build: sh ./mvnw -B -ntp package", "wrapper ran with -B -ntp package", "[kiln] output: target/site");
    }
}
