package dev.kiln.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.ShellBuilder;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.ToolBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Three clustered nodes in one JVM, each with its own Hazelcast config, sharing one database.
 * Builder {@code special} is installed everywhere, but only node C has the (pretend) tool it needs.
 */
class ClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MISSING_TOOL = "kiln-test-tool-that-does-not-exist";

    @TempDir
    static Path temp;
    static String database;
    static int firstPort;
    static TestKiln a;
    static TestKiln b;
    static TestKiln c;
    static GitRepo repo;

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static TestKiln node(String name, int port, Consumer<PluginHost> plugins) throws Exception {
        ClusterSettings settings = new ClusterSettings(true, "127.0.0.1", port, List.of("127.0.0.1:" + firstPort), "kiln-test-" + database.hashCode(), List.of(name));
        return TestKiln.startNode(temp.resolve(name), database, plugins, 1, settings);
    }

    static Consumer<PluginHost> plugins(boolean canRunSpecial) {
        return host -> {
            host.register(new ShellBuilder());
            host.register(new FakeStorage());
            // Node C stands for the node with the right toolchain: "sh" is on every PATH.
            host.register(new ToolBuilder("special", List.of(canRunSpecial ? "sh" : MISSING_TOOL)));
        };
    }

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.freshDatabase();
        firstPort = freePort();
        a = node("a", firstPort, plugins(false));
        b = node("b", freePort(), plugins(false));
        c = node("c", freePort(), plugins(true));
        repo = GitRepo.create(temp.resolve("repo"));
        repo.write("index.html", "clustered").commit("one");
    }

    @AfterAll
    static void stop() {
        Stream.of(a, b, c).filter(java.util.Objects::nonNull).forEach(TestKiln::close);
        repo.close();
    }

    @Test
    void nodesApiListsTheFarm() throws Exception {
        JsonArray nodes = new JsonObject(a.admin("GET", "/nodes", null).body()).getJsonArray("data");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            JsonObject node = nodes.getJsonObject(i);
            if ("up".equals(node.getString("state"))) {
                ids.add(node.getString("id"));
                assertThat(node.getJsonObject("executors").getInteger("total")).isEqualTo(1);
                assertThat(node.getString("address")).startsWith("127.0.0.1:");
                assertThat(node.getJsonObject("capabilities").getJsonArray("builders")).contains("shell");
                assertThat(node.getJsonObject("capabilities").getJsonObject("tools").fieldNames()).contains("git");
                assertThat(node.getString("joined_at")).isNotNull();
            }
        }
        assertThat(ids).contains(a.server().nodeId(), b.server().nodeId(), c.server().nodeId());
        JsonObject nodeC = find(nodes, c.server().nodeId());
        assertThat(nodeC.getJsonObject("capabilities").getJsonArray("builders")).contains("special");
        assertThat(nodeC.getJsonArray("labels")).contains("c");
        assertThat(find(nodes, a.server().nodeId()).getJsonObject("capabilities").getJsonArray("builders")).doesNotContain("special");
    }

    private static JsonObject find(JsonArray nodes, String id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (id.equals(nodes.getJsonObject(i).getString("id"))) {
                return nodes.getJsonObject(i);
            }
        }
        throw new AssertionError("node " + id + " not listed: " + nodes);
    }

    @Test
    void buildsSpreadOverNodesWithFreeExecutors() throws Exception {
        // Three projects: a second deployment of one branch would supersede the first while it waits.
        List<long[]> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long projectId = a.createProject("Spread " + i, repo.url(), new JsonObject().put("build_command", "sleep 2")).getLong("id");
            ids.add(new long[] {projectId, a.trigger(projectId).getLong("id")});
        }
        Set<String> nodes = new HashSet<>();
        for (long[] id : ids) {
            JsonObject deployed = a.awaitStatus(id[0], id[1], WAIT, "deployed", "failed");
            assertThat(deployed.getString("status")).isEqualTo("deployed");
            nodes.add(deployed.getString("node"));
        }
        // One executor per node and three two-second builds: each node took one.
        assertThat(nodes).containsExactlyInAnyOrder(a.server().nodeId(), b.server().nodeId(), c.server().nodeId());
    }

    @Test
    void buildsGoOnlyToNodesThatCanRunThem() throws Exception {
        long projectId = b.createProject("Capable", repo.url(), new JsonObject().put("builder", "special")).getLong("id");
        for (int i = 0; i < 3; i++) {
            long id = b.trigger(projectId).getLong("id");
            JsonObject deployed = b.awaitStatus(projectId, id, WAIT, "deployed", "failed");
            assertThat(deployed.getString("node")).isEqualTo(c.server().nodeId());
        }
    }

    private static long running(String marker) {
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine().orElse("").contains(marker)).count();
    }

    @Test
    void logsAndCancelWorkAcrossNodes() throws Exception {
        // The build runs in its own PID namespace and /tmp: the test finds its processes by a marker.
        String marker = "kiln-cross-cancel-" + java.util.UUID.randomUUID();
        long projectId = a.createProject("Across", repo.url(), new JsonObject().put("builder", "special")
                .put("build_command", "echo started; sh -c 'sleep 300; echo " + marker + "' & wait")).getLong("id");
        long id = a.trigger(projectId).getLong("id");
        // Follow the log through node A while node C builds.
        HttpRequest request = HttpRequest.newBuilder(URI.create(a.baseUrl() + "/api/v1/public/projects/" + projectId
                        + "/deployments/" + id + "/logs/stream"))
                .header("Authorization", "Bearer " + TestKiln.ADMIN).build();
        CompletableFuture<List<String>> stream = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenApply(response -> response.body().toList());
        a.awaitStatus(projectId, id, WAIT, "building");
        Eventually.await(WAIT, "the build's processes to start on node C", () -> running(marker) >= 2);
        assertThat(a.admin("GET", "/projects/" + projectId + "/deployments/" + id, null).data().getString("node"))
                .isEqualTo(c.server().nodeId());
        // The line reached the log before the cancel: a line still on its way from node C when the
        // cancel commits may miss the live stream, which ends with the cancel.
        Eventually.await(WAIT, "the build's first line in its log", () -> a.admin("GET", "/projects/" + projectId + "/deployments/" + id
                + "/logs", null).data().getString("build_logs").contains("started"));

        assertThat(a.admin("POST", "/projects/" + projectId + "/deployments/" + id + "/cancel", null).status()).isEqualTo(200);
        Eventually.await(Duration.ofSeconds(5), "the build's processes on node C to be gone after cancel through node A",
                () -> running(marker) == 0);
        List<String> events = stream.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(events).contains("data: started", "event: end");
    }

    @Test
    void aBuildNoNodeCanRunWaitsWithAReasonUntilSuchANodeJoins() throws Exception {
        // A fourth node, the only one that can run "rare", joins only later.
        Consumer<PluginHost> rare = host -> {
            host.register(new ShellBuilder());
            host.register(new FakeStorage());
            host.register(new ToolBuilder("rare", List.of("sh")));
        };
        Consumer<PluginHost> rareInstalledButNotRunnable = host -> {
            host.register(new ShellBuilder());
            host.register(new FakeStorage());
            host.register(new ToolBuilder("rare", List.of(MISSING_TOOL)));
        };
        TestKiln api = node("api", freePort(), rareInstalledButNotRunnable);
        TestKiln late = null;
        try {
            long projectId = api.createProject("Rare", repo.url(), new JsonObject().put("builder", "rare")).getLong("id");
            long id = api.trigger(projectId).getLong("id");
            JsonObject waiting = Eventually.value(WAIT, "the deployment to say why it waits", () -> {
                JsonObject deployment = api.admin("GET", "/projects/" + projectId + "/deployments/" + id, null).data();
                return deployment.getValue("wait_reason") == null ? null : deployment;
            });
            assertThat(waiting.getString("status")).isEqualTo("queued");
            assertThat(waiting.getString("wait_reason")).contains("no node can run builder 'rare'");
            assertThat(api.admin("GET", "/projects/" + projectId + "/deployments/" + id + "/logs", null).data().getString("build_logs"))
                    .contains("no node can run builder 'rare'");

            late = node("late", freePort(), rare);
            JsonObject deployed = api.awaitStatus(projectId, id, WAIT, "deployed", "failed");
            assertThat(deployed.getString("status")).isEqualTo("deployed");
            assertThat(deployed.getString("node")).isEqualTo(late.server().nodeId());
            assertThat(deployed.getValue("wait_reason")).isNull();
        } finally {
            if (late != null) {
                late.close();
            }
            api.close();
        }
    }

    @Test
    void aWorkerOnlyNodeServesNothingButTakesBuilds() throws Exception {
        Consumer<PluginHost> workerPlugins = host -> {
            host.register(new ShellBuilder());
            host.register(new FakeStorage());
            host.register(new ToolBuilder("workshop", List.of("sh")));
        };
        Consumer<PluginHost> apiPlugins = host -> {
            host.register(new ShellBuilder());
            host.register(new FakeStorage());
            host.register(new ToolBuilder("workshop", List.of(MISSING_TOOL)));
        };
        ClusterSettings settings = new ClusterSettings(true, "127.0.0.1", freePort(), List.of("127.0.0.1:" + firstPort),
                "kiln-test-" + database.hashCode(), List.of("worker"));
        TestKiln worker = TestKiln.startNode(temp.resolve("worker"), database, workerPlugins, 1, settings, false);
        TestKiln api = node("front", freePort(), apiPlugins);
        try {
            assertThat(worker.server().actualPort()).isEqualTo(-1);
            JsonArray nodes = new JsonObject(api.admin("GET", "/nodes", null).body()).getJsonArray("data");
            assertThat(find(nodes, worker.server().nodeId()).getValue("http_url")).isNull();
            long projectId = api.createProject("Workshop", repo.url(), new JsonObject().put("builder", "workshop")).getLong("id");
            long id = api.trigger(projectId).getLong("id");
            assertThat(api.awaitStatus(projectId, id, WAIT, "deployed", "failed").getString("node")).isEqualTo(worker.server().nodeId());
        } finally {
            api.close();
            worker.close();
        }
    }
}
