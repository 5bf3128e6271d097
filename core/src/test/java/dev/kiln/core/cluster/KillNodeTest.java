package dev.kiln.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestNodeMain;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Two node processes; the one building is killed with SIGKILL; the other finishes the deployment. */
class KillNodeTest {

    private static final String MARKER = "kiln-kill-test-build";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;
    private final List<Process> processes = new ArrayList<>();

    /** A started node process. */
    private record Node(Process process, String baseUrl, String id) {
    }

    private Node start(String name, String database, int port, String join) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), TestNodeMain.class.getName(),
                temp.resolve(name).toString(), database, Integer.toString(port), join));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        processes.add(process);
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder output = new StringBuilder();
        while ((line = reader.readLine()) != null) {
            output.append(line).append('\n');
            if (line.startsWith("READY ")) {
                String[] parts = line.split(" ");
                // Keep draining its output so the process never blocks on a full pipe.
                Thread drain = new Thread(() -> reader.lines().forEach(ignored -> { }));
                drain.setDaemon(true);
                drain.start();
                return new Node(process, parts[1], parts[2]);
            }
        }
        throw new AssertionError("node " + name + " did not start:\n" + output);
    }

    private static JsonObject api(String baseUrl, String method, String path, JsonObject body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/public" + path))
                .header("Authorization", "Bearer " + TestKiln.ADMIN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
                .timeout(Duration.ofSeconds(30)).build();
        return new JsonObject(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        // A killed node leaves its build behind (it runs in its own session); remove it.
        ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains(MARKER))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void killingTheBuildingNodeCostsADelayNotADeployment() throws Exception {
        String database = TestDatabase.freshDatabase();
        int firstPort = ClusterTest.freePort();
        Node first = start("one", database, firstPort, "127.0.0.1:" + firstPort);
        Node second = start("two", database, ClusterTest.freePort(), "127.0.0.1:" + firstPort);
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            repo.write("index.html", "survives").commit("one");
            long projectId = createProject(first, "Survivor", repo, 3);
            long id = api(first.baseUrl(), "POST", "/projects/" + projectId + "/deployments", null).getJsonObject("data").getLong("id");
            String path = "/projects/" + projectId + "/deployments/" + id;
            JsonObject deployment = awaitBuilding(first, path);
            String victimId = deployment.getString("node");
            Node victim = victimId.equals(first.id()) ? first : second;
            Node survivor = victim == first ? second : first;

            long killedAt = System.nanoTime();
            victim.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            long[] rerunAt = {0};
            deployment = Eventually.value(Duration.ofSeconds(90), "the deployment to finish after the kill", () -> {
                JsonObject current = api(survivor.baseUrl(), "GET", path, null).getJsonObject("data");
                assertThat(current.getString("status")).as(current.encode()).isNotIn("failed", "cancelled");
                if (rerunAt[0] == 0 && current.getInteger("attempt") == 2) {
                    rerunAt[0] = System.nanoTime();
                }
                return "deployed".equals(current.getString("status")) ? current : null;
            });
            System.out.printf("kill -9 to re-run started: %d ms%n", TimeUnit.NANOSECONDS.toMillis(rerunAt[0] - killedAt));
            assertThat(deployment.getInteger("attempt")).isEqualTo(2);
            assertThat(deployment.getString("node")).isEqualTo(survivor.id());
            String logs = api(survivor.baseUrl(), "GET", path + "/logs", null).getJsonObject("data").getString("build_logs");
            assertThat(logs).contains("attempt 2 on node " + survivor.id(), "on node " + victim.id(), MARKER);
            // Exactly one deployment exists, and it became the live one.
            JsonArray all = api(survivor.baseUrl(), "GET", "/projects/" + projectId + "/deployments", null).getJsonArray("data");
            assertThat(all).hasSize(1);
            assertThat(api(survivor.baseUrl(), "GET", "/projects/" + projectId, null).getJsonObject("data")
                    .getLong("active_deployment_id")).isEqualTo(id);
            JsonArray nodes = api(survivor.baseUrl(), "GET", "/nodes", null).getJsonArray("data");
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.getJsonObject(i).getString("id").equals(victim.id())) {
                    assertThat(nodes.getJsonObject(i).getString("state")).isEqualTo("left");
                }
            }
        }
    }

    @Test
    void aPausedNodeThatComesBackCorruptsNothing() throws Exception {
        String database = TestDatabase.freshDatabase();
        int firstPort = ClusterTest.freePort();
        Node first = start("one", database, firstPort, "127.0.0.1:" + firstPort);
        Node second = start("two", database, ClusterTest.freePort(), "127.0.0.1:" + firstPort);
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            repo.write("index.html", "paused").commit("one");
            long projectId = createProject(first, "Paused", repo, 2);
            long id = api(first.baseUrl(), "POST", "/projects/" + projectId + "/deployments", null).getJsonObject("data").getLong("id");
            String path = "/projects/" + projectId + "/deployments/" + id;
            JsonObject deployment = awaitBuilding(first, path);
            Node paused = deployment.getString("node").equals(first.id()) ? first : second;
            Node survivor = paused == first ? second : first;
            signal("STOP", paused.process().pid());
            try {
                deployment = Eventually.value(Duration.ofSeconds(90), "the survivor to take the deployment over", () -> {
                    JsonObject current = api(survivor.baseUrl(), "GET", path, null).getJsonObject("data");
                    return "deployed".equals(current.getString("status")) ? current : null;
                });
            } finally {
                signal("CONT", paused.process().pid());
            }
            // The paused node wakes up mid-build with a lease it no longer holds: whatever it
            // tries to write is fenced out, so the record stays as the survivor left it. Its
            // heartbeat says when it is up again and no longer runs the build.
            Node woken = paused;
            Eventually.await(Duration.ofSeconds(90), "the paused node to report back",
                    () -> woken(api(survivor.baseUrl(), "GET", "/nodes", null).getJsonArray("data"), woken.id()));
            JsonObject after = api(survivor.baseUrl(), "GET", path, null).getJsonObject("data");
            assertThat(after.getString("status")).isEqualTo("deployed");
            assertThat(after.getString("node")).isEqualTo(survivor.id());
            assertThat(after.getInteger("attempt")).isEqualTo(2);
            assertThat(after.getString("deployed_at")).isEqualTo(deployment.getString("deployed_at"));
        }
    }

    private static boolean woken(io.vertx.core.json.JsonArray nodes, String id) {
        for (int i = 0; i < nodes.size(); i++) {
            JsonObject node = nodes.getJsonObject(i);
            if (node.getString("id").equals(id)) {
                return "up".equals(node.getString("state")) && node.getJsonObject("executors").getInteger("busy") == 0;
            }
        }
        return false;
    }

    private static long createProject(Node node, String name, GitRepo repo, int buildSeconds) throws Exception {
        return api(node.baseUrl(), "POST", "/projects", new JsonObject().put("name", name)
                .put("repo_url", repo.url()).put("builder", "shell")
                .put("build_command", "sh -c 'sleep " + buildSeconds + "; echo " + MARKER + "'")).getJsonObject("data").getLong("id");
    }

    private static JsonObject awaitBuilding(Node node, String path) throws Exception {
        return Eventually.value(Duration.ofSeconds(60), path + " to start building", () -> {
            JsonObject deployment = api(node.baseUrl(), "GET", path, null).getJsonObject("data");
            return "building".equals(deployment.getString("status")) ? deployment : null;
        });
    }

    private static void signal(String signal, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    }
}
