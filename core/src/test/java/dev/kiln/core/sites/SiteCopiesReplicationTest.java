package dev.kiln.core.sites;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.cluster.ClusterSettings;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/**
 * Two nodes with node-local storage (the in-memory fake stands for each node's disk): a deployment
 * built on one is copied whole by the other in the background, which serves every file of it after
 * the node that built it is gone, files never asked for before included; a node that joins later
 * copies it from a node holding a copy.
 */
class SiteCopiesReplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path temp;
    static String database;
    static int firstPort;
    static TestKiln a;
    static int secondPort;
    static TestKiln b;
    static TestKiln c;

    static TestKiln node(String name, int port) throws Exception {
        ClusterSettings settings = new ClusterSettings(true, "127.0.0.1", port, List.of("127.0.0.1:" + firstPort, "127.0.0.1:" + secondPort),
                "kiln-copies-" + database.hashCode(), List.of(name));
        return TestKiln.startNode(temp.resolve(name), database, FarmSitesTest.plugins(name), 1, settings, true);
    }

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.freshDatabase();
        firstPort = FarmSitesTest.freePort();
        secondPort = FarmSitesTest.freePort();
        a = node("a", firstPort);
        b = node("b", secondPort);
    }

    @AfterAll
    static void stop() {
        Stream.of(c, b, a).filter(java.util.Objects::nonNull).forEach(TestKiln::close);
    }

    @Test
    void aDeploymentIsServedByEveryNodeAfterTheNodeThatBuiltItIsGone() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("index.html", "home, built on a");
        files.put("assets/app.js", "// app");
        files.put("assets/deep/nested/style.css", "body { color: red }");
        files.put("docs/guide.html", "the guide");
        files.put("404.html", "no such page here");
        files.put("big.txt", "x".repeat(300_000));
        JsonObject deployed;
        JsonObject project;
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                repo.write(file.getKey(), file.getValue());
            }
            repo.commit("site");
            project = a.createProject("Copied Site", repo.url(), new JsonObject().put("builder", "on-a"));
            JsonObject queued = a.trigger(project.getLong("id"));
            deployed = a.awaitStatus(project.getLong("id"), queued.getLong("id"), WAIT, "deployed", "failed");
            assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");
            assertThat(deployed.getString("node")).isEqualTo(a.server().nodeId());
        }
        String key = "copied-site/" + deployed.getLong("id");
        Path manifest = b.dataDirectory().resolve("site-manifests").resolve(key + ".json");
        Eventually.await(WAIT, "node b to hold a whole copy", () -> Files.isRegularFile(manifest));
        for (Map.Entry<String, String> file : files.entrySet()) {
            assertThat(b.dataDirectory().resolve("site-copies").resolve(key).resolve(file.getKey())).hasContent(file.getValue());
        }

        a.close();
        a = null;

        String production = onNode(b, project.getString("production_url"));
        String deploymentHost = onNode(b, deployed.getString("deployment_url"));
        for (String site : List.of(production, deploymentHost)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                String path = file.getKey().equals("index.html") ? "" : file.getKey();
                TestKiln.Response response = b.get(site + path);
                assertThat(response.status()).as(site + path).isEqualTo(200);
                assertThat(response.body()).isEqualTo(file.getValue());
            }
            assertThat(b.get(site + "docs/guide").body()).isEqualTo("the guide");
            TestKiln.Response missing = b.get(site + "missing.html");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.body()).isEqualTo("no such page here");
        }

        // A node that joins now finds the deployment's manifest and files at the node holding a copy.
        c = node("c", FarmSitesTest.freePort());
        Eventually.await(WAIT, "node c to copy from node b", () -> Files.isRegularFile(c.dataDirectory().resolve("site-manifests")
                .resolve(key + ".json")));
        assertThat(c.get(onNode(c, project.getString("production_url")) + "assets/deep/nested/style.css").body())
                .isEqualTo("body { color: red }");
        assertThat(c.get(onNode(c, deployed.getString("deployment_url")) + "big.txt").body()).isEqualTo(files.get("big.txt"));
    }

    /** The same site URL on another node's port. */
    private static String onNode(TestKiln server, String url) {
        return url.replaceFirst(":\\d+/", ":" + server.server().actualPort() + "/");
    }
}
