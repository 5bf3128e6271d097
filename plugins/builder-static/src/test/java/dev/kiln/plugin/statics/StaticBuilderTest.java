package dev.kiln.plugin.statics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.kiln.core.testing.BuildRun;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;

/** The static builder run with the host's real build context and process runner. */
class StaticBuilderTest {

    @TempDir
    Path temp;

    @Test
    void withoutCommandsTheRepositoryIsTheSite() throws Exception {
        BuildRun run = new BuildRun(temp).write("index.html", "hi");
        BuildOutput output = run.build(new StaticBuilder());
        assertThat(output.directory()).isEqualTo(run.source());
        assertThat(run.log()).contains("no build command");
    }

    @Test
    void buildCommandAndOutputDirectoryAreHonoured() throws Exception {
        BuildRun run = new BuildRun(temp).write("src.txt", "x")
                .settings("echo installing", "mkdir -p out && cp src.txt out/index.html", "out", Map.of());
        BuildOutput output = run.build(new StaticBuilder());
        assertThat(output.directory()).isEqualTo(run.source().resolve("out"));
        assertThat(Files.readString(output.directory().resolve("index.html"))).isEqualTo("x");
        assertThat(run.log()).contains("installing");
    }

    @Test
    void aFailingCommandOrAMissingOutputFailsWithTheReason() throws Exception {
        BuildRun failing = new BuildRun(temp.resolve("a")).settings(null, "echo broken >&2; exit 4", null, Map.of());
        assertThatThrownBy(() -> failing.build(new StaticBuilder())).isInstanceOf(BuildException.class)
                .hasMessageContaining("exited with code 4").hasMessageContaining("broken");
        BuildRun missing = new BuildRun(temp.resolve("b")).settings(null, null, "dist", Map.of());
        assertThatThrownBy(() -> missing.build(new StaticBuilder())).isInstanceOf(BuildException.class)
                .hasMessageContaining("output_directory 'dist' does not exist");
    }

    @Test
    void detectsAnyRepositoryAndPrefersAPlainHtmlSite() throws Exception {
        Files.createDirectories(temp.resolve("plain"));
        assertThat(new StaticBuilder().detect(temp.resolve("plain")).orElseThrow().confidence()).isEqualTo(1);
        Files.writeString(temp.resolve("plain/index.html"), "hi");
        assertThat(new StaticBuilder().detect(temp.resolve("plain")).orElseThrow().framework()).isEqualTo("static-html");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "_config.yml,Gemfile | this is a Jekyll site (_config.yml and Gemfile): set the project's build_command to `bundle install && bundle exec jekyll build` and its output_directory to _site",
        "mkdocs.yml,docs/index.md | this is an MkDocs site (mkdocs.yml): set the project's build_command to `pip install mkdocs && mkdocs build` and its output_directory to site",
        ".eleventy.js,package.json | this is an Eleventy site (.eleventy.js): set the project's builder to 'npm'",
        "eleventy.config.js,index.njk | this is an Eleventy site (eleventy.config.js): set the project's build_command to `npx @11ty/eleventy` and its output_directory to _site",
        "package.json:build,index.html | package.json has a \"build\" script: set the project's builder to 'npm' (or its build_command and output_directory)",
    })
    void aTreeAnotherToolMustBuildIsRefusedNamingWhatToUse(String files, String advice) throws Exception {
        BuildRun run = new BuildRun(temp);
        for (String file : files.split(",")) {
            run.write(file.replace(":build", ""), file.equals("package.json:build")
                    ? "{\"name\": \"app\", \"scripts\": {\"dev\": \"vite\", \"build\": \"vite build\"}}"
                    : file.equals("package.json") ? "{\"name\": \"site\"}" : "x");
        }

        assertThatThrownBy(() -> run.build(new StaticBuilder())).isInstanceOf(BuildException.class)
                .hasMessage("the static builder deploys files as they are, but " + advice);
    }

    @Test
    void aTreeWithABuildCommandOrAChosenOutputIsNotRefused() throws Exception {
        BuildRun built = new BuildRun(temp.resolve("a")).write("_config.yml", "x").write("Gemfile", "x")
                .settings(null, "mkdir -p _site && echo hi > _site/index.html", "_site", Map.of());
        assertThat(built.build(new StaticBuilder()).directory()).isEqualTo(built.source().resolve("_site"));
        // A package.json without a build script is only tooling next to plain files.
        BuildRun plain = new BuildRun(temp.resolve("b")).write("package.json", "{\"scripts\": {\"lint\": \"x\"}}").write("index.html", "hi");
        assertThat(plain.build(new StaticBuilder()).directory()).isEqualTo(plain.source());
        BuildRun prebuilt = new BuildRun(temp.resolve("c")).write("mkdocs.yml", "x").write("site/index.html", "hi")
                .settings(null, null, "site", Map.of());
        assertThat(prebuilt.build(new StaticBuilder()).directory()).isEqualTo(prebuilt.source().resolve("site"));
    }
}
