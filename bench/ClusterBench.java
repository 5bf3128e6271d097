// Cluster benchmark for Kiln (not a test): dispatch latency, throughput of 3 nodes x 2 executors
// on 30 one-second builds, and the time from kill -9 of a building node to the re-run starting.
//
// Run from the repository root after `mvn -B -DskipTests package`:
//   java -cp "distribution/target/kiln/lib/*" bench/ClusterBench.java
//
// It starts an embedded PostgreSQL with Kiln's own class, then three `bin/kiln server` processes
// clustered on 127.0.0.1 that share it, and drives them through the API.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kiln.core.store.embedded.EmbeddedDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

public class ClusterBench {

    static final String TOKEN = "bench-cluster-token";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final List<Process> PROCESSES = new ArrayList<>();

    record Node(Process process, String url, String id) {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("kiln-cluster-bench");
        Path kiln = Path.of("distribution/target/kiln/bin/kiln").toAbsolutePath();
        int latencyRuns = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        try (EmbeddedDatabase database = EmbeddedDatabase.start(work.resolve("postgres"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> PROCESSES.forEach(Process::destroyForcibly)));
            int firstPort = freePort();
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                nodes.add(start(kiln, work.resolve("node" + i), database.connectionUri(), i == 0 ? firstPort : freePort(), firstPort));
            }
            Node api = nodes.get(0);
            Path repo = makeRepo(work.resolve("repo"));
            Path stamps = Files.createDirectories(work.resolve("stamps"));

            // 1. Dispatch latency: trigger (HTTP request sent) to the build process starting, which
            // writes its start time (the machine's one clock) to a file.
            long project = createProject(api, "latency", repo, "date +%s%N > " + stamps + "/$KILN_DEPLOYMENT_ID");
            // Warm up every node's JIT and Git mirror first: the numbers are for a running farm.
            for (int i = 0; i < 30; i++) {
                awaitStatus(api, project, trigger(nodes.get(i % 3), project), "deployed");
            }
            List<Double> dispatch = new ArrayList<>();
            List<Double> remote = new ArrayList<>();
            for (int i = 0; i < latencyRuns; i++) {
                long sent = epochNanos();
                long id = trigger(api, project);
                Path stamp = stamps.resolve(Long.toString(id));
                while (!Files.exists(stamp) || Files.readString(stamp).isBlank()) {
                    Thread.sleep(1);
                }
                double millis = (Long.parseLong(Files.readString(stamp).trim()) - sent) / 1e6;
                dispatch.add(millis);
                String node = awaitStatus(api, project, id, "deployed").getString("node");
                if (!node.equals(api.id())) {
                    remote.add(millis);
                }
            }
            System.out.printf("dispatch latency, trigger to build process start, %d runs: p50 %.1f ms, p99 %.1f ms (other node only: %d runs, p50 %.1f ms, p99 %.1f ms)%n",
                    dispatch.size(), percentile(dispatch, 50), percentile(dispatch, 99), remote.size(), percentile(remote, 50), percentile(remote, 99));
            phases(database, project);

            // 2. Throughput: 30 builds that each sleep 1 s on 3 nodes x 2 executors; ideal 5 s.
            long sleepy = createProject(api, "throughput", repo, "sleep 1");
            long start = System.nanoTime();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ids.add(trigger(nodes.get(i % 3), sleepy));
            }
            for (long id : ids) {
                awaitStatus(api, sleepy, id, "deployed");
            }
            double wall = (System.nanoTime() - start) / 1e9;
            System.out.printf("throughput: 30 x 1 s builds on 3 nodes x 2 executors: %.2f s (ideal 5 s, %+.0f%%)%n", wall, (wall / 5 - 1) * 100);

            // 3. kill -9 of the node running a build to the re-run starting elsewhere.
            long victimProject = createProject(api, "kill", repo, "date +%s%N >> " + stamps + "/kill-$KILN_DEPLOYMENT_ID; sleep 5");
            List<Double> takeovers = new ArrayList<>();
            for (int round = 0; round < 3 && nodes.size() > 1; round++) {
                long id = trigger(api, victimProject);
                Path stamp = stamps.resolve("kill-" + id);
                while (!Files.exists(stamp) || Files.readString(stamp).isBlank()) {
                    Thread.sleep(1);
                }
                String running = awaitStatus(api, victimProject, id, "building").getString("node");
                Node victim = nodes.stream().filter(node -> node.id().equals(running)).findFirst().orElseThrow();
                if (victim == api) {
                    api = nodes.stream().filter(node -> node != victim).findFirst().orElseThrow();
                }
                long killed = epochNanos();
                victim.process().destroyForcibly();
                nodes.remove(victim);
                while (Files.readAllLines(stamp).size() < 2) {
                    Thread.sleep(1);
                }
                takeovers.add((Long.parseLong(Files.readAllLines(stamp).get(1).trim()) - killed) / 1e6);
                awaitStatus(api, victimProject, id, "deployed");
                if (nodes.size() == 1) {
                    break;
                }
            }
            System.out.printf("kill -9 to re-run started on another node: %s ms%n", takeovers.stream().map(v -> String.format("%.0f", v)).toList());
        } finally {
            PROCESSES.forEach(Process::destroyForcibly);
        }
    }

    /** Where the time between trigger and build goes, from the stored transitions. */
    static void phases(EmbeddedDatabase database, long project) throws Exception {
        java.net.URI uri = java.net.URI.create(database.connectionUri());
        String password = uri.getUserInfo().substring(uri.getUserInfo().indexOf(':') + 1);
        try (var connection = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + uri.getPort() + uri.getPath(),
                "postgres", password);
             var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT t.status, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.at - prev.at) * 1000), "
                     + "percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM t.at - prev.at) * 1000) "
                     + "FROM deployment_transitions t JOIN deployments d ON d.id = t.deployment_id "
                     + "JOIN LATERAL (SELECT at FROM deployment_transitions p WHERE p.deployment_id = t.deployment_id AND p.id < t.id "
                     + "ORDER BY p.id DESC LIMIT 1) prev ON TRUE WHERE d.project_id = " + project + " GROUP BY t.status ORDER BY 2")) {
            while (rows.next()) {
                System.out.printf("  phase ending in %-10s p50 %6.1f ms  p99 %6.1f ms%n", rows.getString(1), rows.getDouble(2), rows.getDouble(3));
            }
        }
    }

    static Node start(Path kiln, Path data, String database, int clusterPort, int firstPort) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(kiln.toString(), "server", "--port", "0", "--host", "127.0.0.1",
                "--data-dir", data.toString(), "--database-url", database, "--executors", "2",
                "--cluster-port", Integer.toString(clusterPort), "--join", "127.0.0.1:" + firstPort).redirectErrorStream(true);
        builder.environment().put("KILN_ADMIN_TOKEN", TOKEN);
        Process process = builder.start();
        PROCESSES.add(process);
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("Kiln is ready at ")) {
                String url = line.substring("Kiln is ready at ".length(), line.indexOf(' ', "Kiln is ready at ".length()));
                String id = line.substring(line.indexOf("(node ") + 6, line.indexOf(','));
                Thread drain = new Thread(() -> reader.lines().forEach(ignored -> { }));
                drain.setDaemon(true);
                drain.start();
                return new Node(process, url, id);
            }
        }
        throw new IllegalStateException("node did not start");
    }

    static Path makeRepo(Path directory) throws Exception {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("index.html"), "<h1>bench</h1>");
        run(directory, "git", "init", "-q", "-b", "main");
        run(directory, "git", "add", ".");
        run(directory, "git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-qm", "bench");
        return directory;
    }

    static void run(Path directory, String... command) throws Exception {
        if (new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    static long createProject(Node node, String name, Path repo, String buildCommand) throws Exception {
        return request(node, "POST", "/projects", new JsonObject().put("name", name).put("repo_url", repo.toUri().toString())
                .put("builder", "static").put("build_command", buildCommand)).getJsonObject("data").getLong("id");
    }

    static long trigger(Node node, long project) throws Exception {
        return request(node, "POST", "/projects/" + project + "/deployments", null).getJsonObject("data").getLong("id");
    }

    static JsonObject awaitStatus(Node node, long project, long id, String status) throws Exception {
        while (true) {
            JsonObject deployment = request(node, "GET", "/projects/" + project + "/deployments/" + id, null).getJsonObject("data");
            if (status.equals(deployment.getString("status")) || "deployed".equals(deployment.getString("status"))) {
                return deployment;
            }
            if ("failed".equals(deployment.getString("status"))) {
                throw new IllegalStateException("deployment failed: " + deployment);
            }
            Thread.sleep(5);
        }
    }

    static JsonObject request(Node node, String method, String path, JsonObject body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(node.url() + "/api/v1/public" + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
        return new JsonObject(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static double percentile(List<Double> values, int percentile) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }
}
