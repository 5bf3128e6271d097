// Over 400 lines: one benchmark run end to end (sequential, three burst shapes, their shell floors, memory, the report); the server, HTTP/SSE client and statistics it shares with the other benchmarks are in this module's other classes.
package dev.kiln.bench;

import static dev.kiln.bench.Statistics.max;
import static dev.kiln.bench.Statistics.mean;
import static dev.kiln.bench.Statistics.percentile;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.kiln.core.FileTrees;
import io.vertx.core.json.JsonObject;

/**
 * Kiln's deploy benchmark (not a test). Run from the repository root:
 *
 * <pre>java -cp "bench/target/classes:distribution/target/kiln/lib/*" dev.kiln.bench.DeployBench [--n 100] [--warmup 20] [--burst 50] [--executors N] [--java-opts "..."]</pre>
 *
 * It makes a small static Git repository, starts Kiln from distribution/target/kiln (or uses
 * --url/--token), and measures:
 * <ol>
 *   <li>trigger -> deployed for N sequential deployments of one project (builder "static"): the
 *       clock starts before the POST and stops when the live log stream sends {@code event: end};
 *       also the time until the POST returns;</li>
 *   <li>BURST deployments triggered at once (one thread each), each of its own branch (deployments
 *       of one branch supersede each other while they wait): on one project, on 10 projects and on
 *       BURST projects; wall time from the start gate until the last {@code event: end};</li>
 *   <li>where the time goes, from the deployment_transitions table of the embedded PostgreSQL
 *       (microsecond clock_timestamp() per state; the API's time stamps have 1 s resolution);</li>
 *   <li>the floor: bench/floor.sh doing {@code git clone --depth 1 file://...} + copy, once after each
 *       sequential deployment (paired, so both see the same load) and BURST at once (xargs -P) after
 *       each burst;</li>
 *   <li>the resident memory of the idle server (JVM) and of its embedded PostgreSQL.</li>
 * </ol>
 * Deployed is detected from the SSE stream rather than by polling: polling adds up to its interval
 * to every sample, and a tight interval loads the same 2 cores the server needs; the stream is
 * told by the same event-bus message that ends the deployment, so it adds only one HTTP write.
 */
public class DeployBench {

    // settings
    static int n = 100;
    static int warmup = 20;
    static int burst = 50;
    /** The branches bursts deploy, one per deployment: {@code burst-0}, {@code burst-1}, ... */
    static final String BURST_BRANCH = "burst-";
    static Integer executors;
    static String javaOpts = "";
    static String url;
    static String token = "bench-token";
    static Path kilnHome = Paths.get("distribution/target/kiln");
    static Path floorScript;
    static int idleSeconds = 15;
    static boolean keep;
    static Path out;

    // state
    static KilnClient client;
    static KilnProcess server;
    static long serverPid = -1;
    static int pgPort = -1;
    static Path dataDir;
    static Path tmp;
    static final StringBuilder report = new StringBuilder();
    /** Live streams whose first line was not line 1 (lines published before the follower subscribed, not yet stored). */
    static final java.util.concurrent.atomic.AtomicInteger GAPS = new java.util.concurrent.atomic.AtomicInteger();

    record Sample(long deploymentId, Instant sent, double postMs, double totalMs, String status) {
    }

    public static void main(String[] args) throws Exception {
        parse(args);
        tmp = Files.createTempDirectory("kiln-bench-");
        floorScript = floorScript == null ? Paths.get("bench/floor.sh").toAbsolutePath() : floorScript;
        try {
            run();
        } finally {
            stopServer();
            if (!keep) {
                FileTrees.delete(tmp);
            } else {
                System.err.println("kept " + tmp);
            }
        }
        if (out != null) {
            Files.writeString(out, report.toString());
            System.err.println("wrote " + out);
        }
    }

    static void run() throws Exception {
        Path repo = makeRepo();
        md("## Kiln deploy benchmark, %s", Instant.now().atOffset(ZoneOffset.UTC).withNano(0));
        md("");
        md("- machine: %s cores, %s; %s", Runtime.getRuntime().availableProcessors(), memTotal(), javaVersion());
        md("- repository: %s files, %s bytes, one commit; builder `static`; storage `local`", countFiles(repo), treeBytes(repo));
        md("- N = %d sequential deployments (after %d warm-up ones), burst = %d", n, warmup, burst);
        md("- load average at start: %s", loadAverage());

        if (url == null) {
            startServer();
        } else {
            client = new KilnClient(url, token);
            md("- server: %s (given; no memory or phase figures)", url);
        }
        md("");

        Map<String, String> memory = new LinkedHashMap<>();
        if (serverPid > 0) {
            Thread.sleep(idleSeconds * 1000L);
            memory.put("idle after start (+" + idleSeconds + " s)", memoryNow());
        }

        // ---- sequential ----
        long project = createProject("bench-seq", repo);
        for (int i = 0; i < warmup; i++) {
            Sample s = deployOnce(project);
            if (i == 0) {
                md("- first deployment of a fresh server/project (mirror clone, cold JIT): %.1f ms (POST %.1f ms)", s.totalMs, s.postMs);
            }
        }
        // Kiln and the floor alternate, so that both see the same load from whatever else runs on the machine.
        floorWork = tmp.resolve("floor");
        Files.createDirectories(floorWork);
        for (int i = 0; i < warmup; i++) {
            floorOne(repo, "warm-" + i);
        }
        double[] cpuBefore = cpuNow();
        List<Sample> seq = new ArrayList<>();
        double[] floorSeq = new double[n];
        double[] spawn = new double[n];
        for (int i = 0; i < n; i++) {
            seq.add(deployOnce(project));
            floorSeq[i] = floorOne(repo, "seq-" + i);
            long t0 = System.nanoTime();
            run(List.of("sh", "-c", "true"), null);
            spawn[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] cpuAfter = cpuNow();
        check(seq);
        md("");
        md("### Sequential: trigger -> deployed, %d deployments one after another (ms)", n);
        md("");
        md("| measure | p50 | p90 | p99 | max | mean |");
        md("|---|---|---|---|---|---|");
        md(row("trigger -> `event: end` (deployed)", seq.stream().mapToDouble(Sample::totalMs).toArray()));
        md(row("trigger -> POST returned (201)", seq.stream().mapToDouble(Sample::postMs).toArray()));
        md(row("POST returned -> deployed", seq.stream().mapToDouble(s -> s.totalMs - s.postMs).toArray()));
        md(row("**floor**: bench/floor.sh one (`git clone --depth 1 file://` + `cp -r`), run between the deployments", floorSeq));
        md(row("(part of the floor: starting a process from Java, `sh -c true`)", spawn));
        double seqWall = seq.stream().mapToDouble(Sample::totalMs).sum();
        md("");
        md("Throughput one at a time: %.1f deployments/s. Live log streams opened right after the POST that did not start at "
                + "line 1 (see BENCHMARKS.md): %d of %d. CPU per deployment (server side, from /proc): %s.",
                n / (seqWall / 1000), GAPS.get(), n + warmup, cpuPer(cpuBefore, cpuAfter, n));
        if (pgPort > 0) {
            phases(seq);
        }

        // ---- bursts ----
        // Each deployment of a burst has a branch of its own: deployments of one branch supersede
        // each other while they wait (the newest is what a push wants), which would end a burst early.
        md("");
        md("### %d deployments triggered at once (server executors: %s)", burst, executors == null ? "default = cores" : executors);
        md("");
        md("Every deployment of a burst builds its own branch (all at the same commit), so none supersedes another.");
        md("");
        md("| case | wall until all deployed | POST p50 / max | per-deployment p50 / max | queue wait (created->cloning) max | CPU per deployment |");
        md("|---|---|---|---|---|---|");
        List<String> floorRows = new ArrayList<>();
        List<Target> one = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            one.add(new Target(project, BURST_BRANCH + i));
        }
        burstRow("one project, " + burst + " branches", one);
        floorRows.add(floorMany(repo, "a"));
        int groups = Math.max(1, Math.min(10, burst));
        List<Long> grouped = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            long p = createProject("bench-group-" + g, repo);
            deployOnce(p); // creates the project's mirror, as on a server in use
            grouped.add(p);
        }
        List<Target> spread = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            spread.add(new Target(grouped.get(i % groups), BURST_BRANCH + i));
        }
        burstRow(groups + " projects, " + burst + " branches over them", spread);
        floorRows.add(floorMany(repo, "b"));
        List<Target> many = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            long p = createProject("bench-burst-" + i, repo);
            deployOnce(p); // creates the project's mirror, as on a server in use
            many.add(new Target(p, null));
        }
        burstRow(burst + " projects, one each", many);
        floorRows.add(floorMany(repo, "c"));
        md("| **floor**: bench/floor.sh many (`xargs -P %d`), right after each of the three | **%s** | | | | |", burst,
                String.join(" / ", floorRows));

        // ---- memory after ----
        if (serverPid > 0) {
            memory.put("right after the runs", memoryNow());
            Thread.sleep(idleSeconds * 1000L);
            memory.put("idle " + idleSeconds + " s after the runs", memoryNow());
            run(List.of("jcmd", Long.toString(serverPid), "GC.run"), null);
            Thread.sleep(3000);
            memory.put("after `jcmd GC.run` (+3 s)", memoryNow());
            md("");
            md("### Resident memory");
            md("");
            md("| when | Kiln JVM RSS (`ps -o rss`) | JVM heap used / committed | embedded PostgreSQL (sum of PSS) |");
            md("|---|---|---|---|");
            memory.forEach((when, m) -> md("| %s | %s |", when, m));
        }

        // The floor once more, alone: between deployments it shares the machine with the end of the
        // previous deployment (workspace deletion, log and WAL writes), which inflates it somewhat.
        double[] floorAlone = new double[n];
        for (int i = 0; i < n; i++) {
            floorAlone[i] = floorOne(repo, "alone-" + i);
        }
        md("");
        md("| floor measured alone (server idle), %d one after another | p50 | p90 | p99 | max | mean |", n);
        md("|---|---|---|---|---|---|");
        md(row("bench/floor.sh one", floorAlone));
        md("");
        md("Load average at the end: %s (other work on the machine skews every figure, the floor's too).", loadAverage());
    }

    // ------------------------------------------------------------------ deployments

    static long createProject(String name, Path repo) throws Exception {
        return client.createProject(new JsonObject().put("name", name).put("repo_url", "file://" + repo).put("builder", "static"));
    }

    /** A burst's deployment: a project and its branch (null: the project's default branch). */
    record Target(long project, String branch) {
    }

    static Sample deployOnce(long project) throws Exception {
        return deployOnce(new Target(project, null));
    }

    static Sample deployOnce(Target target) throws Exception {
        long project = target.project();
        Instant sent = Instant.now();
        long t0 = System.nanoTime();
        HttpResponse<String> r = client.send("POST", "/projects/" + project + "/deployments",
                target.branch() == null ? null : new JsonObject().put("branch", target.branch()));
        long t1 = System.nanoTime();
        if (r.statusCode() != 201) {
            throw new IllegalStateException("trigger: " + r.statusCode() + " " + r.body());
        }
        long id = new JsonObject(r.body()).getJsonObject("data").getLong("id");
        String status = client.follow(project, id, first -> {
            if (first > 1) {
                GAPS.incrementAndGet();
            }
        });
        long t2 = System.nanoTime();
        return new Sample(id, sent, (t1 - t0) / 1e6, (t2 - t0) / 1e6, status);
    }

    static void check(List<Sample> samples) {
        for (Sample s : samples) {
            if (!"deployed".equals(s.status)) {
                throw new IllegalStateException("deployment " + s.deploymentId + " ended " + s.status);
            }
        }
    }

    static void burstRow(String label, List<Target> projects) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(projects.size());
        CountDownLatch ready = new CountDownLatch(projects.size());
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Sample>> futures = new ArrayList<>();
        for (Target p : projects) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                gate.await();
                return deployOnce(p);
            }));
        }
        ready.await();
        double[] cpuBefore = cpuNow();
        long start = System.nanoTime();
        gate.countDown();
        List<Sample> samples = new ArrayList<>();
        for (Future<Sample> f : futures) {
            samples.add(f.get(10, TimeUnit.MINUTES));
        }
        long wall = System.nanoTime() - start;
        double[] cpuAfter = cpuNow();
        pool.shutdown();
        check(samples);
        double[] post = samples.stream().mapToDouble(Sample::postMs).toArray();
        double[] total = samples.stream().mapToDouble(Sample::totalMs).toArray();
        String queue = "n/a";
        if (pgPort > 0) {
            Map<Long, Map<String, Double>> t = transitions(samples);
            queue = String.format(Locale.ROOT, "%.0f ms", t.values().stream().filter(m -> m.containsKey("cloning"))
                    .mapToDouble(m -> m.get("cloning") - m.get("created")).max().orElse(0));
            long retried = t.values().stream().filter(m -> m.getOrDefault("attempts", 1.0) > 1).count();
            if (retried > 0) {
                queue += " (" + retried + " ran more than once: " + t.entrySet().stream()
                        .filter(e -> e.getValue().getOrDefault("attempts", 1.0) > 1).map(e -> "#" + e.getKey()).collect(Collectors.joining(" ")) + ")";
            }
        }
        md("| %s | **%.0f ms** | %.0f / %.0f ms | %.0f / %.0f ms | %s | %s |", label, wall / 1e6,
                percentile(post, 50), max(post), percentile(total, 50), max(total), queue, cpuPer(cpuBefore, cpuAfter, projects.size()));
    }

    // ------------------------------------------------------------------ phases

    static final String[] STATES = {"created", "cloning", "building", "uploading", "deploying", "deployed"};

    /** Per deployment: epoch milliseconds of created_at and of each transition. */
    static Map<Long, Map<String, Double>> transitions(List<Sample> samples) throws Exception {
        String ids = samples.stream().map(s -> Long.toString(s.deploymentId)).collect(Collectors.joining(","));
        String sql = "SELECT d.id, 'created', extract(epoch from d.created_at) * 1000 FROM deployments d WHERE d.id IN (" + ids + ") "
                + "UNION ALL SELECT t.deployment_id, t.status, extract(epoch from min(t.at)) * 1000 FROM deployment_transitions t "
                + "WHERE t.deployment_id IN (" + ids + ") GROUP BY t.deployment_id, t.status "
                + "UNION ALL SELECT d.id, 'attempts', d.attempt FROM deployments d WHERE d.id IN (" + ids + ")";
        String password = Files.readString(dataDir.resolve("postgres/password")).trim();
        Map<String, String> env = Map.of("PGPASSWORD", password);
        String output = run(List.of("psql", "-h", "127.0.0.1", "-p", Integer.toString(pgPort), "-U", "postgres", "-d", "kiln",
                "-At", "-F", "\t", "-c", sql), env);
        Map<Long, Map<String, Double>> result = new HashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                result.computeIfAbsent(Long.parseLong(f[0]), k -> new HashMap<>()).put(f[1], Double.parseDouble(f[2]));
            }
        }
        return result;
    }

    static void phases(List<Sample> seq) throws Exception {
        Map<Long, Map<String, Double>> t = transitions(seq);
        String[] labels = {
            "trigger sent -> row created (POST: auth, git fetch, insert)",
            "created -> cloning (wake dispatcher, claim job, load deployment/project, first transition)",
            "cloning -> building (export commit tree to workspace, detect)",
            "building -> uploading (static builder)",
            "uploading -> deploying (copy to local storage)",
            "deploying -> deployed (flush log lines, deployed transaction)",
            "deployed -> client got `event: end` (event bus -> SSE)",
        };
        List<double[]> columns = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            columns.add(new double[seq.size()]);
        }
        for (int k = 0; k < seq.size(); k++) {
            Sample s = seq.get(k);
            Map<String, Double> m = t.get(s.deploymentId);
            double sent = s.sent.getEpochSecond() * 1000.0 + s.sent.getNano() / 1e6;
            columns.get(0)[k] = m.get("created") - sent;
            for (int i = 1; i < STATES.length; i++) {
                columns.get(i)[k] = m.get(STATES[i]) - m.get(STATES[i - 1]);
            }
            columns.get(6)[k] = sent + s.totalMs - m.get("deployed");
        }
        md("");
        md("Where the sequential time goes (from deployment_transitions, ms; the client's and the database's clocks are the same machine's):");
        md("");
        md("| phase | p50 | p90 | p99 | max | mean |");
        md("|---|---|---|---|---|---|");
        for (int i = 0; i < labels.length; i++) {
            md(row(labels[i], columns.get(i)));
        }
        String retried = t.entrySet().stream().filter(e -> e.getValue().getOrDefault("attempts", 1.0) > 1)
                .map(e -> "#" + e.getKey()).collect(Collectors.joining(" "));
        if (!retried.isEmpty()) {
            md("");
            md("Deployments that needed more than one attempt (claimed again after a lease ran out): %s", retried);
        }
    }

    // ------------------------------------------------------------------ floor

    static Path floorWork;

    static double floorOne(Path repo, String id) throws Exception {
        long t0 = System.nanoTime();
        run(List.of("sh", floorScript.toString(), "one", repo.toString(), floorWork.toString(), id), null);
        double ms = (System.nanoTime() - t0) / 1e6;
        FileTrees.delete(floorWork.resolve(id));
        return ms;
    }

    static String floorMany(Path repo, String id) throws Exception {
        Path work = floorWork.resolve("many-" + id);
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        run(List.of("sh", floorScript.toString(), "many", repo.toString(), work.toString(), Integer.toString(burst)), null);
        double wall = (System.nanoTime() - t0) / 1e6;
        long copies;
        try (Stream<Path> s = Files.list(work)) {
            copies = s.count();
        }
        if (copies != burst) {
            throw new IllegalStateException("floor burst made " + copies + " copies, not " + burst);
        }
        FileTrees.delete(work);
        return String.format(Locale.ROOT, "%.0f ms", wall);
    }

    // ------------------------------------------------------------------ server

    static void startServer() throws Exception {
        dataDir = tmp.resolve("data");
        List<String> arguments = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(Ports.free()),
                "--data-dir", dataDir.toString()));
        if (executors != null) {
            arguments.add("--executors");
            arguments.add(executors.toString());
        }
        Map<String, String> environment = new HashMap<>(Map.of("KILN_ADMIN_TOKEN", token));
        if (!javaOpts.isBlank()) {
            environment.put("JAVA_OPTS", javaOpts);
        }
        Pattern pg = Pattern.compile("ready on 127\\.0\\.0\\.1:(\\d+)");
        long t0 = System.nanoTime();
        server = KilnProcess.start(kilnHome, arguments, environment, tmp.resolve("server.log"), line -> {
            Matcher m = pg.matcher(line);
            if (m.find()) {
                pgPort = Integer.parseInt(m.group(1));
            }
        }, 120);
        serverPid = server.pid();
        double startMs = (System.nanoTime() - t0) / 1e6;
        client = new KilnClient(server.url(), token);
        Path core;
        try (Stream<Path> jars = Files.list(kilnHome.resolve("lib"))) {
            core = jars.filter(p -> p.getFileName().toString().startsWith("kiln-core")).findFirst().orElse(null);
        }
        if (core != null) {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(core));
            md("- build: %s, %s, sha256 %s", core.getFileName(), Files.getLastModifiedTime(core),
                    java.util.HexFormat.of().formatHex(digest).substring(0, 12));
        }
        md("- server: %s, started from the distribution in %.0f ms (fresh data dir, new embedded PostgreSQL cluster), "
                + "JAVA_OPTS=\"%s\", executors %s", kilnHome.resolve("bin/kiln").toAbsolutePath(), startMs, javaOpts,
                executors == null ? "default (= cores)" : executors);
    }

    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    /** "JVM rss | heap | postgres pss" cells. */
    static String memoryNow() throws Exception {
        long rssKb = Long.parseLong(run(List.of("ps", "-o", "rss=", "-p", Long.toString(serverPid)), null).trim());
        String heap = "?";
        String info = run(List.of("jcmd", Long.toString(serverPid), "GC.heap_info"), null);
        Matcher total = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(info);
        long committed = 0;
        long used = 0;
        while (total.find()) {
            committed += Long.parseLong(total.group(1));
            used += Long.parseLong(total.group(2));
        }
        if (committed > 0) {
            heap = String.format(Locale.ROOT, "%.0f / %.0f MB", used / 1024.0, committed / 1024.0);
        }
        long pgKb = 0;
        int pgCount = 0;
        // PostgreSQL is not the JVM's child (as root it runs in a user namespace): found by its data directory.
        List<Long> pg = postgresPids();
        for (long pid : pg) {
            Path rollup = Paths.get("/proc/" + pid + "/smaps_rollup");
            try {
                for (String line : Files.readAllLines(rollup)) {
                    if (line.startsWith("Pss:")) {
                        pgKb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                        pgCount++;
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        }
        return String.format(Locale.ROOT, "**%.0f MB** | %s | %.0f MB (%d processes)", rssKb / 1024.0, heap, pgKb / 1024.0, pgCount);
    }

    /** CPU time used so far by the Kiln JVM and by its PostgreSQL processes, in ms: {jvm, postgres}. */
    static double[] cpuNow() throws Exception {
        if (serverPid <= 0) {
            return new double[] {0, 0};
        }
        double jvm = cpuOf(serverPid);
        double pg = 0;
        for (long pid : postgresPids()) {
            pg += cpuOf(pid);
        }
        return new double[] {jvm, pg};
    }

    static double cpuOf(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command; in clock ticks (100/s)
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static List<Long> postgresPids() throws Exception {
        List<Long> pg = new ArrayList<>();
        String pgdata = dataDir.resolve("postgres/pgdata").toString();
        for (String line : run(List.of("ps", "-e", "-o", "pid=,args="), null).split("\n")) {
            String[] f = line.trim().split("\\s+", 2);
            if (f.length == 2 && f[1].contains(pgdata) && !f[1].startsWith("ps ")) {
                long pid = Long.parseLong(f[0]);
                pg.add(pid);
                pg.addAll(descendants(pid));
            }
        }
        return pg.stream().distinct().toList();
    }

    static String cpuPer(double[] before, double[] after, int deployments) {
        if (serverPid <= 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f ms JVM + %.1f ms PostgreSQL", (after[0] - before[0]) / deployments,
                (after[1] - before[1]) / deployments);
    }

    static List<Long> descendants(long root) throws Exception {
        Map<Long, List<Long>> children = new HashMap<>();
        for (String line : run(List.of("ps", "-e", "-o", "pid=,ppid="), null).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(Long.parseLong(f[0]));
            }
        }
        List<Long> result = new ArrayList<>();
        List<Long> todo = new ArrayList<>(children.getOrDefault(root, List.of()));
        while (!todo.isEmpty()) {
            long pid = todo.remove(todo.size() - 1);
            result.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return result;
    }

    // ------------------------------------------------------------------ helpers

    static Path makeRepo() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("index.html", "<!doctype html><link rel=stylesheet href=css/site.css><h1>Bench</h1>\n");
        files.put("about.html", "<!doctype html><h1>About</h1><p>" + "lorem ipsum ".repeat(50) + "</p>\n");
        files.put("404.html", "<!doctype html><h1>Not here</h1>\n");
        files.put("css/site.css", "body { font-family: sans-serif; margin: 2rem; }\n".repeat(20));
        files.put("js/site.js", "console.log('kiln bench');\n".repeat(20));
        files.put("blog/first.html", "<!doctype html><h1>First post</h1>\n");
        files.put("robots.txt", "User-agent: *\n");
        Path repo = GitRepositories.create(tmp.resolve("site"), files);
        for (int i = 0; i < burst; i++) {
            run(List.of("git", "-C", repo.toString(), "branch", BURST_BRANCH + i), null);
        }
        return repo;
    }

    static String run(List<String> cmd, Map<String, String> env) throws Exception {
        return Processes.output(null, env, cmd);
    }

    static String row(String label, double[] v) {
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f |", label, percentile(v, 50), percentile(v, 90),
                percentile(v, 99), max(v), mean(v));
    }

    static void md(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        report.append(line).append('\n');
    }

    static String memTotal() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return String.format(Locale.ROOT, "%.1f GB RAM", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "? RAM";
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static String javaVersion() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    static long countFiles(Path repo) throws IOException {
        try (Stream<Path> s = Files.walk(repo)) {
            return s.filter(p -> !p.toString().contains("/.git")).filter(Files::isRegularFile).count();
        }
    }

    static long treeBytes(Path repo) throws IOException {
        try (Stream<Path> s = Files.walk(repo)) {
            return s.filter(p -> !p.toString().contains("/.git")).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--n" -> { n = Integer.parseInt(v); i++; }
                case "--warmup" -> { warmup = Integer.parseInt(v); i++; }
                case "--burst" -> { burst = Integer.parseInt(v); i++; }
                case "--executors" -> { executors = Integer.parseInt(v); i++; }
                case "--java-opts" -> { javaOpts = v; i++; }
                case "--url" -> { url = v; i++; }
                case "--token" -> { token = v; i++; }
                case "--kiln" -> { kilnHome = Paths.get(v); i++; }
                case "--idle" -> { idleSeconds = Integer.parseInt(v); i++; }
                case "--out" -> { out = Paths.get(v); i++; }
                case "--keep" -> keep = true;
                default -> {
                    System.err.println("usage: java -cp \"bench/target/classes:distribution/target/kiln/lib/*\" dev.kiln.bench.DeployBench [--n 100] [--warmup 20] [--burst 50] [--executors N] "
                            + "[--java-opts \"...\"] [--kiln DIR | --url URL --token T] [--idle SECONDS] [--out FILE] [--keep]");
                    System.exit(2);
                }
            }
        }
        if (n < 1 || burst < 1) {
            throw new IllegalArgumentException("--n and --burst must be positive");
        }
    }
}
