package dev.kiln.plugin.hugo;

import dev.kiln.core.testing.BuildRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.RequiredTools;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;

/** The builder run directly with the real hugo. */
class HugoBuilderTest {

    @TempDir
    Path temp;
    BuildRun run;
    final HugoBuilder builder = new HugoBuilder();

    @BeforeEach
    void setUp() throws Exception {
        RequiredTools.assumeInstalled("hugo");
        run = new BuildRun(temp);
        for (var file : HugoSite.files().entrySet()) {
            run.write(file.getKey(), file.getValue());
        }
    }

    @Test
    void buildsAMinifiedSiteForTheDeploymentUrlIntoPublic() throws Exception {
        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("public"));
        assertThat(output.framework()).isEqualTo("hugo");
        String page = Files.readString(output.directory().resolve("index.html"));
        // The deployment's URL, not the one in hugo.toml; minified, so no indentation is left.
        assertThat(page).contains("<h1>Home</h1>", "<p>Hello from <em>Hugo</em>.</p>",
                "href=http://127.0.0.1:9/sites/test-project/d/1/about/").doesNotContain("example.org", "\n  ");
        assertThat(run.lines()).containsSubsequence(
                "[kiln] hugo: hugo version",
                "[kiln] build: hugo --minify --baseURL http://127.0.0.1:9/sites/test-project/d/1/ --destination public",
                "[kiln] output: public");
        // hugo version's own line comes before anything else hugo prints.
        int versionLine = run.lines().indexOf("[kiln] hugo: hugo version") + 1;
        assertThat(run.lines().get(versionLine)).startsWith("hugo v");
    }

    @Test
    void anOutputDirectoryIsWhereHugoWrites() throws Exception {
        run.settings(null, null, "build/site", Map.of());

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("build/site"));
        assertThat(output.directory().resolve("index.html")).exists();
        assertThat(run.source().resolve("public")).doesNotExist();
        assertThat(run.log()).contains("--destination build/site");
    }

    @Test
    void aBuildCommandReplacesHugoAndRunsWithTheCacheDirectory() throws Exception {
        run.settings("echo installing", "echo \"cache=$HUGO_CACHEDIR\" && hugo --destination public --baseURL /", null, Map.of());

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("public"));
        assertThat(run.lines()).containsSubsequence(
                "[kiln] hugo: hugo version",
                "[kiln] install: echo installing",
                "installing",
                "[kiln] build: echo \"cache=$HUGO_CACHEDIR\" && hugo --destination public --baseURL /",
                "cache=" + run.cache().resolve("hugo"));
        assertThat(run.log()).doesNotContain("--minify");
    }

    @Test
    void aBrokenTemplateFailsWithHugosError() throws Exception {
        run.write("layouts/index.html", "<h1>{{ .Title }</h1>");

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessageStartingWith("`hugo --minify --baseURL http://127.0.0.1:9/sites/test-project/d/1/ --destination public` exited with code ")
                .hasMessageContaining("layouts/index.html");
    }

    @Test
    void aBuildCommandThatWritesNothingIsReported() throws Exception {
        run.settings(null, "echo done", null, Map.of());
        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessage("the build wrote no 'public' directory; set the project's output_directory to the folder the build writes the site to");

        run.settings(null, "echo done", "dist", Map.of());
        assertThatThrownBy(() -> run.build(builder)).hasMessage("output_directory 'dist' does not exist after the build");
    }

    @Test
    void anOutputDirectoryOutsideTheRepositoryIsRefusedBeforeHugoRuns() throws Exception {
        run.settings(null, null, "../elsewhere", Map.of());
        assertThatThrownBy(() -> run.build(builder)).hasMessage("output_directory '../elsewhere' is outside the repository");
        assertThat(run.lines()).isEmpty();
        assertThat(temp.resolve("elsewhere")).doesNotExist();
    }
}
