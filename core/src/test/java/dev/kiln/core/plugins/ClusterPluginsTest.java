package dev.kiln.core.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.cluster.ClusterSettings;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A plugin installed through one node reaches every node, including one that joins later. */
class ClusterPluginsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private TestKiln node(String name, String database, int port, int firstPort) throws Exception {
        ClusterSettings cluster = new ClusterSettings(true, "127.0.0.1", port, List.of("127.0.0.1:" + firstPort),
                "kiln-plugins-" + database.hashCode(), List.of());
        return TestKiln.startNode(temp.resolve(name), database, TestKiln::registerFakes, 1, cluster);
    }

    private static String pluginState(TestKiln node, String id) throws Exception {
        JsonArray plugins = new JsonObject(node.admin("GET", "/plugins", null).body()).getJsonArray("data");
        for (int i = 0; i < plugins.size(); i++) {
            if (id.equals(plugins.getJsonObject(i).getString("id"))) {
                return plugins.getJsonObject(i).getString("state") + " " + plugins.getJsonObject(i).getString("version");
            }
        }
        return "absent";
    }

    private static void awaitPluginState(TestKiln node, String id, String expected) throws Exception {
        Eventually.await(WAIT, "plugin " + id + " on " + node.server().nodeId() + " to be " + expected,
                () -> pluginState(node, id).equals(expected));
    }

    @Test
    void installDisableAndRemoveThroughOneNodeReachEveryNode() throws Exception {
        String database = TestDatabase.freshDatabase();
        int firstPort = freePort();
        try (TestKiln a = node("a", database, firstPort, firstPort);
             TestKiln b = node("b", database, freePort(), firstPort);
             GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            repo.write("site.txt", "from the example builder").commit("text");
            assertThat(a.uploadPlugin(PluginFiles.exampleJar(temp.resolve("example"), "1.0.0")).status()).isEqualTo(201);
            awaitPluginState(b, "builder-example", "started 1.0.0");

            // A node that joins later installs it at start-up and can build with it.
            try (TestKiln late = node("late", database, freePort(), firstPort)) {
                assertThat(pluginState(late, "builder-example")).isEqualTo("started 1.0.0");
                long projectId = late.createProject("Example everywhere", repo.url(), new JsonObject().put("builder", "example"))
                        .getLong("id");
                long id = late.trigger(projectId).getLong("id");
                assertThat(late.awaitStatus(projectId, id, WAIT, "deployed", "failed").getString("status")).isEqualTo("deployed");

                assertThat(b.uploadPlugin(PluginFiles.exampleJar(temp.resolve("example-2"), "1.1.0")).status()).isEqualTo(201);
                awaitPluginState(a, "builder-example", "started 1.1.0");
                awaitPluginState(late, "builder-example", "started 1.1.0");

                assertThat(late.admin("POST", "/plugins/builder-example/disable", null).status()).isEqualTo(200);
                awaitPluginState(a, "builder-example", "disabled 1.1.0");
                awaitPluginState(b, "builder-example", "disabled 1.1.0");

                assertThat(a.admin("DELETE", "/plugins/builder-example", null).status()).isEqualTo(204);
                awaitPluginState(b, "builder-example", "absent");
                awaitPluginState(late, "builder-example", "absent");
            }
        }
    }

    /**
     * The race of issue 10: a plugin disabled and at once deleted came back. Each round ends when a
     * later change (a marker plugin installed after the delete) has reached the other node: its
     * changes apply in revision order, so by then the delete has been applied, and no stale read
     * may undo it afterwards.
     */
    @Test
    void aPluginDisabledAndAtOnceDeletedStaysDeletedOnEveryNodeAndAfterARestart() throws Exception {
        String database = TestDatabase.freshDatabase();
        int firstPort = freePort();
        byte[] example = PluginFiles.exampleJar(temp.resolve("example"), "1.0.0");
        TestKiln b = null;
        try (TestKiln a = node("a", database, firstPort, firstPort)) {
            b = node("b", database, freePort(), firstPort);
            for (int round = 0; round < 4; round++) {
                assertThat(a.uploadPlugin(example).status()).isEqualTo(201);
                awaitPluginState(b, "builder-example", "started 1.0.0");
                assertThat(a.admin("POST", "/plugins/builder-example/disable", null).status()).isEqualTo(200);
                assertThat(a.admin("DELETE", "/plugins/builder-example", null).status()).isEqualTo(204);

                String marker = "marker-" + round;
                assertThat(a.uploadPlugin(PluginFiles.builderJar(temp.resolve(marker), marker, "1.0.0", marker,
                        "throw new BuildException(\"unused\");")).status()).isEqualTo(201);
                awaitPluginState(b, marker, "started 1.0.0");
                assertThat(pluginState(b, "builder-example")).isEqualTo("absent");
                // The node that made the changes has seen its own announcements by now too.
                awaitPluginState(a, marker, "started 1.0.0");
                assertThat(pluginState(a, "builder-example")).isEqualTo("absent");
                assertThat(a.admin("DELETE", "/plugins/" + marker, null).status()).isEqualTo(204);
                awaitPluginState(b, marker, "absent");
                assertThat(pluginState(a, "builder-example")).isEqualTo("absent");
                assertThat(pluginState(b, "builder-example")).isEqualTo("absent");
            }

            b.close();
            b = null;
            try (TestKiln restarted = node("b", database, freePort(), firstPort)) {
                assertThat(pluginState(restarted, "builder-example")).isEqualTo("absent");
                assertThat(Files.exists(temp.resolve("b").resolve("plugins").resolve("builder-example-1.0.0.jar"))).isFalse();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }
}
