package dev.kiln.bench;

// Cluster benchmark for Kiln (not a test): dispatch latency, throughput of 3 nodes x 2 executors
// on 30 one-second builds, and the time from kill -9 of a building node to the re-run starting.
//
// Run from the repository root after `mvn -o -q -B -DskipTests package -pl distribution,bench -am`:
//   java -cp "bench/target/classes:distribution/target/kiln/lib/*" dev.kiln.bench.ClusterBench [latency-runs]
//
// It starts an embedded PostgreSQL with Kiln's own class, then three `bin/kiln server` processes
// clustered on 127.0.0.1 that share it, and drives them through the API.
import static dev.kiln.bench.Statistics.percentile;

import java.net.URI;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.kiln.core.store.embedded.EmbeddedDatabase;
import io.vertx.core.json.JsonObject;

public class ClusterBench {

    static final String TOKEN = "bench-cluster-token";
    static final List<KilnProcess> PROCESSES = new ArrayList<>();

    /** A node of the farm and a client of its API. */
    record Node(KilnProcess process, KilnClient client) {
        String id() {
            return process.nodeId();
        }
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("kiln-cluster-bench");
        int latencyRuns = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        try (EmbeddedDatabase database = EmbeddedDatabase.start(work.resolve("postgres"))) {
            int firstPort = Ports.free();
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                nodes.add(start(work.resolve("node" + i), database.connectionUri(), i == 0 ? firstPort : Ports.free(), firstPort));
            }
            Node api = nodes.get(0);
            Path repo = GitRepositories.create(work.resolve("repo"), Map.of("index.html", "<h1>bench</h1>"));
            // A build's /tmp is its own (the sandbox): it writes its clock into $HOME, in the project's cache on
            // whichever node ran it, and the benchmark reads the caches of all three.
            List<Path> dataDirectories = List.of(work.resolve("node0"), work.resolve("node1"), work.resolve("node2"));

            // 1. Dispatch latency: trigger (HTTP request sent) to the build process starting, which
            // writes its start time (the machine's one clock) to a file.
            long project = createProject(api, "latency", repo, "date +%s%N > \"$HOME/stamp-$KILN_DEPLOYMENT_ID\"");
            // Warm up every node's JIT and Git mirror first: the numbers are for a running farm.
            for (int i = 0; i < 30; i++) {
                awaitStatus(api, project, trigger(nodes.get(i % 3), project), "deployed");
            }
            List<Double> dispatch = new ArrayList<>();
            List<Double> remote = new ArrayList<>();
            for (int i = 0; i < latencyRuns; i++) {
                long sent = epochNanos();
                long id = trigger(api, project);
                List<Long> stamp;
                while ((stamp = stamps(dataDirectories, project, "stamp-" + id)).isEmpty()) {
                    Thread.sleep(1);
                }
                double millis = (stamp.get(0) - sent) / 1e6;
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
            // One project each: a newer deployment of a branch supersedes the older ones still queued.
            List<Long> sleepy = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                sleepy.add(createProject(api, "throughput-" + i, repo, "sleep 1"));
            }
            long start = System.nanoTime();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ids.add(trigger(nodes.get(i % 3), sleepy.get(i)));
            }
            for (int i = 0; i < 30; i++) {
                awaitStatus(api, sleepy.get(i), ids.get(i), "deployed");
            }
            double wall = (System.nanoTime() - start) / 1e9;
            System.out.printf("throughput: 30 x 1 s builds on 3 nodes x 2 executors: %.2f s (ideal 5 s, %+.0f%%)%n", wall, (wall / 5 - 1) * 100);

            // 3. kill -9 of the node running a build to the re-run starting elsewhere.
            long victimProject = createProject(api, "kill", repo, "date +%s%N >> \"$HOME/kill-$KILN_DEPLOYMENT_ID\"; sleep 5");
            List<Double> takeovers = new ArrayList<>();
            for (int round = 0; round < 3 && nodes.size() > 1; round++) {
                long id = trigger(api, victimProject);
                while (stamps(dataDirectories, victimProject, "kill-" + id).isEmpty()) {
                    Thread.sleep(1);
                }
                String running = awaitStatus(api, victimProject, id, "building").getString("node");
                Node victim = nodes.stream().filter(node -> node.id().equals(running)).findFirst().orElseThrow();
                if (victim == api) {
                    api = nodes.stream().filter(node -> node != victim).findFirst().orElseThrow();
                }
                long killed = epochNanos();
                victim.process().kill();
                nodes.remove(victim);
                // The first attempt's line is in the victim's cache, the re-run's in the survivor's.
                List<Long> attempts;
                while ((attempts = stamps(dataDirectories, victimProject, "kill-" + id)).size() < 2) {
                    Thread.sleep(1);
                }
                takeovers.add((attempts.get(1) - killed) / 1e6);
                awaitStatus(api, victimProject, id, "deployed");
                if (nodes.size() == 1) {
                    break;
                }
            }
            System.out.printf("kill -9 to re-run started on another node: %s ms%n", takeovers.stream().map(v -> String.format("%.0f", v)).toList());
        } finally {
            PROCESSES.forEach(KilnProcess::kill);
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

    static Node start(Path data, String database, int clusterPort, int firstPort) throws Exception {
        KilnProcess process = KilnProcess.start(KilnProcess.DISTRIBUTION, List.of("--port", "0", "--host", "127.0.0.1",
                "--data-dir", data.toString(), "--database-url", database, "--executors", "2",
                "--cluster-port", Integer.toString(clusterPort), "--join", "127.0.0.1:" + firstPort),
                Map.of("KILN_ADMIN_TOKEN", TOKEN), null, null, 120);
        PROCESSES.add(process);
        return new Node(process, new KilnClient(process.url(), TOKEN));
    }

    static long createProject(Node node, String name, Path repo, String buildCommand) throws Exception {
        return node.client().createProject(new JsonObject().put("name", name).put("repo_url", repo.toUri().toString())
                .put("builder", "static").put("build_command", buildCommand));
    }

    static long trigger(Node node, long project) throws Exception {
        return node.client().trigger(project);
    }

    /** Waits for the status, or for deployed when the deployment went past it between two reads. */
    static JsonObject awaitStatus(Node node, long project, long id, String status) throws Exception {
        return node.client().awaitStatus(project, id, 5, status, "deployed");
    }

    /** The clock readings builds of the project wrote to a file of this name in $HOME, on any node, in order. */
    static List<Long> stamps(List<Path> dataDirectories, long project, String name) throws IOException {
        List<Long> values = new ArrayList<>();
        for (Path data : dataDirectories) {
            Path cache = data.resolve("cache").resolve("project-" + project);
            if (!Files.isDirectory(cache)) {
                continue;
            }
            try (Stream<Path> files = Files.find(cache, 3, (path, attributes) -> path.getFileName().toString().equals(name))) {
                for (Path file : files.toList()) {
                    for (String line : Files.readAllLines(file)) {
                        if (line.trim().matches("\\d+")) {
                            values.add(Long.parseLong(line.trim()));
                        }
                    }
                }
            }
        }
        Collections.sort(values);
        return values;
    }

    static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
