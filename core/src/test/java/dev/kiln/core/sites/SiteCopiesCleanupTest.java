package dev.kiln.core.sites;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.cluster.ClusterSettings;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.ToolBuilder;
import io.vertx.core.json.JsonObject;

/**
 * Two nodes with node-local storage: a deployment pruned by retention, or deleted with its
 * project (through either node), leaves no site copy, gzip copy, manifest or stored file on either
 * node; a node that was down at the time cleans up when it starts.
 */
class SiteCopiesCleanupTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String BIG_SCRIPT = "console.log('padding');\n".repeat(15_000);

    @TempDir
    static Path temp;
    static String database;
    static int firstPort;
    static TestKiln a;
    static TestKiln b;
    /** Each node's own storage, standing for its disk. */
    static final Map<String, FakeStorage> STORAGE = new ConcurrentHashMap<>();

    static TestKiln node(String name, int port) throws Exception {
        ClusterSettings settings = new ClusterSettings(true, "127.0.0.1", port, List.of("127.0.0.1:" + firstPort),
                "kiln-cleanup-" + database.hashCode(), List.of(name));
        FakeStorage storage = new FakeStorage();
        STORAGE.put(name, storage);
        return TestKiln.startNode(temp.resolve(name), database, host -> {
            host.register(storage);
            host.register(new ToolBuilder("on-a", List.of(name.equals("a") ? "sh" : "kiln-test-tool-that-does-not-exist")));
        }, 1, settings, true, Map.of("artifacts.keep", "1"));
    }

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.freshDatabase();
        firstPort = FarmSitesTest.freePort();
        a = node("a", firstPort);
        b = node("b", FarmSitesTest.freePort());
    }

    @AfterAll
    static void stop() {
        Stream.of(b, a).filter(java.util.Objects::nonNull).forEach(TestKiln::close);
    }

    private static JsonObject deploy(long projectId) throws Exception {
        JsonObject queued = a.trigger(projectId);
        JsonObject deployed = a.awaitStatus(projectId, queued.getLong("id"), WAIT, "deployed", "failed");
        assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");
        return deployed;
    }

    private static Path copy(TestKiln node, String key) {
        return node.dataDirectory().resolve("site-copies").resolve(key);
    }

    private static Path gzip(TestKiln node, String key) {
        return node.dataDirectory().resolve("site-gzip").resolve(key);
    }

    private static Path manifest(TestKiln node, String key) {
        return node.dataDirectory().resolve("site-manifests").resolve(key + ".json");
    }

    private static void awaitCopied(String key) throws Exception {
        Eventually.await(WAIT, "node b to copy " + key, () -> Files.isRegularFile(manifest(b, key)));
    }

    /** Asks both nodes for the big script gzipped: each keeps a gzip copy. */
    private static void requestGzipped(JsonObject deployment) throws Exception {
        for (TestKiln node : List.of(a, b)) {
            String url = deployment.getString("deployment_url").replaceFirst(":\\d+/", ":" + node.server().actualPort() + "/");
            TestKiln.Response response = node.site("GET", url + "big.js", Map.of("Accept-Encoding", "gzip"));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Content-Encoding")).isEqualTo("gzip");
        }
    }

    private static void awaitGone(String key) throws Exception {
        Eventually.await(WAIT, "every copy of " + key + " to be deleted", () -> Stream.of(copy(a, key), copy(b, key), gzip(a, key), gzip(b, key),
                manifest(a, key), manifest(b, key)).noneMatch(Files::exists));
    }

    @Test
    void aPrunedOrDeletedDeploymentLeavesNoCopiesOnAnyNode() throws Exception {
        long projectId;
        JsonObject first;
        try (GitRepo repo = GitRepo.create(temp.resolve("pruned"))) {
            repo.write("index.html", "one").write("big.js", BIG_SCRIPT).commit("one");
            projectId = a.createProject("Pruned Copies", repo.url(), new JsonObject().put("builder", "on-a")).getLong("id");
            first = deploy(projectId);
            String firstKey = "pruned-copies/" + first.getLong("id");
            awaitCopied(firstKey);
            requestGzipped(first);
            assertThat(copy(b, firstKey).resolve("big.js")).exists();
            assertThat(gzip(a, firstKey)).isDirectory();
            assertThat(gzip(b, firstKey)).isDirectory();
            assertThat(manifest(a, firstKey)).isRegularFile();

            repo.write("index.html", "two").commit("two");
            JsonObject second = deploy(projectId);
            String secondKey = "pruned-copies/" + second.getLong("id");
            Eventually.await(WAIT, "the first deployment to be pruned", () -> a.admin("GET", "/projects/" + projectId + "/deployments/"
                    + first.getLong("id"), null).data().getBoolean("pruned"));
            awaitGone(firstKey);
            awaitCopied(secondKey);
            requestGzipped(second);
            assertThat(gzip(b, secondKey)).isDirectory();

            // Deleted through the node that did not build it: the builder's own files go too.
            assertThat(STORAGE.get("a").has(secondKey)).isTrue();
            assertThat(b.admin("DELETE", "/projects/" + projectId, null).status()).isEqualTo(204);
            awaitGone(secondKey);
            Eventually.await(WAIT, "node a to delete its own files", () -> !STORAGE.get("a").has(secondKey));
        }
    }

    @Test
    void aNodeThatWasDownWhenAProjectWasDeletedCleansUpAtStart() throws Exception {
        long projectId;
        String key;
        try (GitRepo repo = GitRepo.create(temp.resolve("restarted"))) {
            repo.write("index.html", "kept while b is down").commit("one");
            projectId = a.createProject("Restarted Copies", repo.url(), new JsonObject().put("builder", "on-a")).getLong("id");
            key = "restarted-copies/" + deploy(projectId).getLong("id");
        }
        awaitCopied(key);
        b.close();
        b = null;
        assertThat(a.admin("DELETE", "/projects/" + projectId, null).status()).isEqualTo(204);
        Eventually.await(WAIT, "node a to delete its manifest", () -> !Files.exists(manifest(a, key)));
        assertThat(copy(temp.resolve("b"), key)).as("node b was down").isDirectory();

        b = node("b", FarmSitesTest.freePort());
        Eventually.await(WAIT, "node b to delete its copy at start", () -> !Files.exists(copy(temp.resolve("b"), key))
                && !Files.exists(temp.resolve("b").resolve("site-manifests").resolve(key + ".json")));
    }

    private static Path copy(Path dataDirectory, String key) {
        return dataDirectory.resolve("site-copies").resolve(key);
    }
}
