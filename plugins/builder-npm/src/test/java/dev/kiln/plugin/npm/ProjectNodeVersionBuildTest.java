package dev.kiln.plugin.npm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.BuildRun;
import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/**
 * The project's {@code node_version} decides the Node before every other source: the builder
 * option, {@code NODE_VERSION}, {@code .nvmrc} and {@code engines.node}. The other sources here
 * ask for a Node no registry has, so a build that listened to any of them would fail.
 */
class ProjectNodeVersionBuildTest {

    private static final String PACKAGE_JSON = "{\"name\": \"pinned\", \"engines\": {\"node\": \">=996\"}, \"scripts\": {\"build\": \"node build.js\"}}";
    private static final String BUILD_JS = "require('fs').mkdirSync('dist'); require('fs').writeFileSync('dist/index.html', process.version);";

    @TempDir
    static Path shared;
    @TempDir
    Path temp;
    static String installed;
    static TestKiln kiln;

    @BeforeAll
    static void installedNode() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
        installed = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(node.waitFor()).isZero();
        assertThat(installed).matches("v\\d+\\.\\d+\\.\\d+");
    }

    @AfterAll
    static void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private static String major() {
        return installed.replaceAll("^v(\\d+)\\..*", "$1");
    }

    private BuildRun fixture(String name) throws Exception {
        BuildRun run = new BuildRun(temp.resolve(name)).tools(temp.resolve("tools"));
        run.write("package.json", PACKAGE_JSON).write("build.js", BUILD_JS).write(".nvmrc", ">=997\n").env("NODE_VERSION", ">=998");
        return run;
    }

    @Test
    void theProjectsNodeVersionWinsOverEveryOtherSource() throws Exception {
        BuildRun run = fixture("project").settings(null, null, null, Map.of("node_version", ">=999")).nodeVersion(major());

        Path output = run.build(new NpmBuilder()).directory();

        assertThat(Files.readString(output.resolve("index.html"))).isEqualTo(installed);
        assertThat(run.lines()).contains("[kiln] node " + installed + " fits the project's node_version '" + major() + "'")
                .noneMatch(line -> line.startsWith("[kiln]") && line.contains(">=99"));
    }

    @Test
    void withoutItTheBuilderOptionStillDecides() throws Exception {
        BuildRun run = fixture("option").settings(null, null, null, Map.of("node_version", "^" + major()));

        run.build(new NpmBuilder());

        assertThat(run.lines()).contains("[kiln] node " + installed + " fits the builder option node_version '^" + major() + "'");
    }

    @Test
    void theFieldSetThroughTheApiReachesTheBuilder() throws Exception {
        kiln = TestKiln.start(shared.resolve("data"), TestDatabase.freshDatabase(), host -> {
            host.register(new NpmBuilder());
            host.register(new FakeStorage());
        });
        try (GitRepo repo = GitRepo.create(shared.resolve("repo"))) {
            repo.write("package.json", PACKAGE_JSON).write("build.js", BUILD_JS).write(".nvmrc", ">=997\n").commit("pinned by .nvmrc");
            long projectId = kiln.createProject("Pinned", repo.url(), new JsonObject().put("builder", "npm")
                    .put("node_version", ">=" + major() + " <" + (Integer.parseInt(major()) + 1))).getLong("id");
            long deploymentId = kiln.trigger(projectId).getLong("id");

            JsonObject deployment = kiln.awaitStatus(projectId, deploymentId, Duration.ofSeconds(120), "deployed", "failed");

            String log = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs?format=text", null).body();
            assertThat(deployment.getString("status")).as(log).isEqualTo("deployed");
            assertThat(log).contains("[kiln] node " + installed + " fits the project's node_version '>=" + major() + " <");
            assertThat(kiln.get(deployment.getString("deployment_url")).body()).isEqualTo(installed);
        }
    }
}
