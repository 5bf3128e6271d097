package dev.kiln.plugin.statics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
