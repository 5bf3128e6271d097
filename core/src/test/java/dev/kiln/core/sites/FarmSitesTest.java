package dev.kiln.core.sites;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.cluster.ClusterSettings;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.ToolBuilder;
import io.vertx.core.json.JsonObject;

/**
 * A farm whose nodes each keep deployments in their own storage (the in-memory fake stands for a
 * node's disk): every node serves every deployment, fetching what it lacks from the node that
 * built it; a worker without HTTP hands out the farm's URLs.
 */
class FarmSitesTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String MISSING_TOOL = "kiln-test-tool-that-does-not-exist";

    @TempDir
    static Path temp;
    static String database;
    static int firstPort;
    static TestKiln a;
    static TestKiln b;
    static TestKiln worker;

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Each node builds only projects whose builder is named after it. */
    static Consumer<PluginHost> plugins(String node) {
        return host -> {
            host.register(new FakeStorage());
            for (String name : List.of("a", "b", "worker")) {
                host.register(new ToolBuilder("on-" + name, List.of(name.equals(node) ? "sh" : MISSING_TOOL)));
            }
        };
    }

    static TestKiln node(String name, int port, boolean http) throws Exception {
        ClusterSettings settings = new ClusterSettings(true, "127.0.0.1", port, List.of("127.0.0.1:" + firstPort),
                "kiln-sites-" + database.hashCode(), List.of(name));
        return TestKiln.startNode(temp.resolve(name), database, plugins(name), 1, settings, http);
    }

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.freshDatabase();
        firstPort = freePort();
        a = node("a", firstPort, true);
        b = node("b", freePort(), true);
        worker = node("worker", freePort(), false);
    }

    @AfterAll
    static void stop() {
        Stream.of(worker, b, a).filter(java.util.Objects::nonNull).forEach(TestKiln::close);
    }

    private static JsonObject deployOn(String node, String content) throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("repo-" + node))) {
            repo.write("index.html", content).write("assets/app.js", "// built on " + node).commit("on " + node);
            JsonObject project = a.createProject("Built on " + node, repo.url(), new JsonObject().put("builder", "on-" + node));
            JsonObject queued = a.trigger(project.getLong("id"));
            JsonObject deployed = a.awaitStatus(project.getLong("id"), queued.getLong("id"), WAIT, "deployed", "failed");
            assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");
            assertThat(deployed.getString("node")).isEqualTo((node.equals("a") ? a : node.equals("b") ? b : worker).server().nodeId());
            return deployed.put("production_url", project.getString("production_url"));
        }
    }

    @Test
    void everyNodeServesDeploymentsBuiltOnTheOthers() throws Exception {
        JsonObject onA = deployOn("a", "site built on a");
        JsonObject onB = deployOn("b", "site built on b");
        for (TestKiln server : List.of(a, b)) {
            for (JsonObject deployment : List.of(onA, onB)) {
                String expected = "site built on " + (deployment == onA ? "a" : "b");
                String production = onNode(server, deployment.getString("production_url"));
                assertThat(server.get(production).body()).as("served by " + server.server().nodeId()).isEqualTo(expected);
                assertThat(server.get(onNode(server, deployment.getString("deployment_url")) + "assets/app.js").body())
                        .isEqualTo("// built on " + (deployment == onA ? "a" : "b"));
                assertThat(server.get(production + "missing.html").status()).isEqualTo(404);
            }
        }
        // The copy stays: node a serves b's file from its own disk now.
        assertThat(temp.resolve("a").resolve("site-copies")).isDirectoryRecursivelyContaining("glob:**/index.html");
    }

    @Test
    void aWorkerWithoutHttpHandsOutTheFarmsUrlsAndItsDeploymentsAreServed() throws Exception {
        JsonObject onWorker = deployOn("worker", "site built on the worker");
        String logs = a.admin("GET", "/projects/" + onWorker.getLong("project_id") + "/deployments/" + onWorker.getLong("id") + "/logs", null)
                .data().getString("build_logs");
        assertThat(logs).contains("deployed at http://" + onWorker.getLong("id") + "--built-on-worker.localhost:" + a.server().actualPort() + "/")
                .doesNotContain("localhost:8080");
        assertThat(a.get(onWorker.getString("production_url")).body()).isEqualTo("site built on the worker");
        assertThat(b.get(onNode(b, onWorker.getString("production_url"))).body()).isEqualTo("site built on the worker");
    }

    /** The same site URL on another node's port. */
    private static String onNode(TestKiln server, String url) {
        return url.replaceFirst(":\\d+/", ":" + server.server().actualPort() + "/");
    }

}
