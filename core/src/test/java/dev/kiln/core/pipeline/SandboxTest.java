package dev.kiln.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.kiln.core.FileTrees;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.StandaloneNodeMain;
import dev.kiln.core.testing.TestDatabase;
import io.vertx.core.json.JsonObject;

/**
 * Builds run in the real sandbox of a node started as {@code bin/kiln} starts one (its admin token and
 * database URL in its environment), and try what an attacker's build would.
 */
class SandboxTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ADMIN = "sandbox-admin-" + UUID.randomUUID();

    @TempDir
    Path temp;
    /** Under target/, not /tmp: a build's /tmp is its own, so only here does hiding the data directory show. */
    private Path root;
    private Path data;
    private Path plugins;
    private final List<Process> processes = new ArrayList<>();

    private record Node(Process process, String baseUrl) {
    }

    @BeforeEach
    void layOut() throws Exception {
        RequiredTools.assumeInstalled("bwrap");
        root = Files.createDirectories(Path.of("target", "sandbox-" + UUID.randomUUID()).toAbsolutePath());
        data = root.resolve("data");
        plugins = Files.createDirectories(root.resolve("install/plugins"));
        Files.writeString(Files.createDirectories(root.resolve("install/conf")).resolve("kiln.properties"), "storage.s3.secret=conf-secret\n");
        // Where the embedded database keeps its password.
        Files.writeString(Files.createDirectories(data.resolve("postgres")).resolve("password"), "db-password-on-disk\n");
    }

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        if (root != null) {
            FileTrees.delete(root);
        }
    }

    private Node start(Map<String, String> settings) throws Exception {
        String database = TestDatabase.freshDatabase();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), StandaloneNodeMain.class.getName(),
                data.toString(), database, plugins.toString()));
        settings.forEach((key, value) -> command.add(key + "=" + value));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("KILN_ADMIN_TOKEN", ADMIN);
        builder.environment().put("KILN_DATABASE_URL", database);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "aws-secret-of-the-node");
        Process process = builder.start();
        processes.add(process);
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder output = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            output.append(line).append('\n');
            if (line.startsWith("READY ")) {
                Thread drain = new Thread(() -> reader.lines().forEach(ignored -> { }));
                drain.setDaemon(true);
                drain.start();
                return new Node(process, line.split(" ")[1]);
            }
        }
        throw new AssertionError("node did not start:\n" + output);
    }

    private static JsonObject api(Node node, String method, String path, JsonObject body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/public" + path))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
                .timeout(Duration.ofSeconds(30)).build();
        return new JsonObject(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonObject awaitStatus(Node node, String path, String... statuses) throws Exception {
        return Eventually.value(Duration.ofSeconds(60), path + " to reach " + List.of(statuses), () -> {
            JsonObject deployment = api(node, "GET", path, null).getJsonObject("data");
            return List.of(statuses).contains(deployment.getString("status")) ? deployment : null;
        });
    }

    private long project(Node node, GitRepo repo, String name, String buildCommand) throws Exception {
        return api(node, "POST", "/projects", new JsonObject().put("name", name).put("repo_url", repo.url()).put("builder", "shell")
                .put("build_command", buildCommand)).getJsonObject("data").getLong("id");
    }

    private String deployAndReadLog(Node node, long projectId, String expected) throws Exception {
        long id = api(node, "POST", "/projects/" + projectId + "/deployments", null).getJsonObject("data").getLong("id");
        String path = "/projects/" + projectId + "/deployments/" + id;
        JsonObject deployment = awaitStatus(node, path, "deployed", "failed");
        String logs = api(node, "GET", path + "/logs", null).getJsonObject("data").getString("build_logs");
        assertThat(deployment.getString("status")).as(logs).isEqualTo(expected);
        return logs;
    }

    /** The probe lines of a log, as name to value. */
    private static Map<String, String> probes(String logs) {
        Map<String, String> probes = new LinkedHashMap<>();
        for (String line : logs.split("\n")) {
            int at = line.indexOf("probe ");
            if (at >= 0 && line.indexOf('=', at) > 0) {
                String rest = line.substring(at + "probe ".length());
                probes.put(rest.substring(0, rest.indexOf('=')), rest.substring(rest.indexOf('=') + 1));
            }
        }
        return probes;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bwrap", "unshare"})
    void aBuildCannotReachKilnTheDataDirectoryOrOtherProjects(String kind) throws Exception {
        Node node = start(Map.of("builds.sandbox", kind));
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            repo.write("index.html", "hi").commit("one");
            long other = project(node, repo, "Other", "echo other > index.html");
            deployAndReadLog(node, other, "deployed");
            String d = data.toString();
            String script = String.join("\n",
                    "echo \"probe uid=$(id -u)\"",
                    "echo \"probe env=${KILN_ADMIN_TOKEN:-none} ${KILN_DATABASE_URL:-none} ${AWS_SECRET_ACCESS_KEY:-none}\"",
                    "echo \"probe environ=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c -e " + ADMIN
                            + " -e aws-secret-of-the-node)\"",
                    "echo \"probe processes=$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u | tr '\\n' ' ')\"",
                    "echo \"probe data=$(ls -A " + d + " | tr '\\n' ' ')\"",
                    "echo \"probe tools=$(touch " + d + "/tools/planted 2>/dev/null && echo writable || echo refused)\"",
                    "echo \"probe password=$(cat " + d + "/postgres/password 2>&1 | grep -c db-password-on-disk)\"",
                    "echo \"probe other-cache=$(ls " + d + "/cache/project-" + other + " 2>&1 | grep -vc 'No such file')\"",
                    "echo \"probe other-workspace=$(ls " + d + "/workspaces | tr '\\n' ' ')\"",
                    "echo \"probe plugins=$(touch " + plugins + "/evil.jar 2>/dev/null && echo written || echo refused)\"",
                    "echo \"probe plugins-listing=$(ls -A " + plugins + " | wc -l)\"",
                    "echo \"probe conf=$(cat " + root + "/install/conf/kiln.properties 2>&1 | grep -c conf-secret)\"",
                    "echo \"probe shadow=$(cat /etc/shadow 2>/dev/null | wc -c)\"",
                    "echo \"probe root-home=$(ls -A /root 2>/dev/null | wc -l)\"",
                    "echo \"probe system=$(touch /usr/bin/evil 2>/dev/null && echo written || echo refused)\"",
                    "echo \"probe workspace=$(touch built && echo writable)\"",
                    "echo \"probe cache=$(touch \"$HOME/kept\" && echo writable)\"",
                    "echo \"probe kiln-vars=$KILN_PROJECT $CI\"");
            Files.writeString(repo.directory().resolve("probe.sh"), script + "\n");
            repo.commit("probe");
            long attacker = project(node, repo, "Attacker", "sh probe.sh");
            Map<String, String> probes = probes(deployAndReadLog(node, attacker, "deployed"));

            assertThat(probes.get("uid")).isNotEqualTo("0").isEqualTo(Integer.toString(BuildSandbox.DEFAULT_BUILD_UID));
            assertThat(probes.get("env")).isEqualTo("none none none");
            assertThat(probes.get("environ")).isEqualTo("0");
            assertThat(probes.get("processes")).doesNotContain("java", "postgres").contains("sh");
            // Only the way to this build's own workspace and its project's cache, and the tools Kiln fetched (read-only).
            assertThat(probes.get("data").trim().split(" ")).containsExactlyInAnyOrder("workspaces", "cache", "tools");
            assertThat(probes.get("tools")).isEqualTo("refused");
            assertThat(probes.get("password")).isEqualTo("0");
            assertThat(probes.get("other-cache")).isEqualTo("0");
            assertThat(probes.get("other-workspace").trim().split(" ")).hasSize(1);
            assertThat(probes.get("plugins")).isEqualTo("refused");
            assertThat(probes.get("plugins-listing")).isEqualTo("0");
            assertThat(probes.get("conf")).isEqualTo("0");
            assertThat(probes.get("shadow")).isEqualTo("0");
            assertThat(probes.get("root-home")).isEqualTo("0");
            assertThat(probes.get("system")).isEqualTo("refused");
            assertThat(probes.get("workspace")).isEqualTo("writable");
            assertThat(probes.get("cache")).isEqualTo("writable");
            assertThat(probes.get("kiln-vars")).isEqualTo("attacker true");
            assertThat(plugins.resolve("evil.jar")).doesNotExist();
        }
    }

    @Test
    void aBuildDiesWithItsNode() throws Exception {
        Node node = start(Map.of());
        String marker = "kiln-sandbox-orphan-" + UUID.randomUUID();
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            repo.write("index.html", "hi").commit("one");
            long projectId = project(node, repo, "Doomed", "sleep 300; echo " + marker);
            long id = api(node, "POST", "/projects/" + projectId + "/deployments", null).getJsonObject("data").getLong("id");
            awaitStatus(node, "/projects/" + projectId + "/deployments/" + id, "building");
            // Watch the build's own processes by handle: reading every process's command line after the
            // kill would wait on the dying node itself (its memory is torn down first) and time that instead.
            // Wait for the build's command itself (its `sleep 300`, child of the marked shell): the launcher
            // carries the marker from its first instant, before the sandbox and its death signals are set up.
            List<ProcessHandle> build = Eventually.value(Duration.ofSeconds(30), "the build's command to run in its sandbox", () -> {
                List<ProcessHandle> marked = ProcessHandle.allProcesses()
                        .filter(process -> process.info().commandLine().orElse("").contains(marker)).toList();
                List<ProcessHandle> sleeping = ProcessHandle.allProcesses()
                        .filter(process -> process.info().commandLine().orElse("").endsWith("sleep 300")
                                && process.parent().map(marked::contains).orElse(false)).toList();
                if (sleeping.isEmpty()) {
                    return null;
                }
                List<ProcessHandle> all = new ArrayList<>(marked);
                all.addAll(sleeping);
                return all;
            });
            node.process().destroyForcibly();
            Eventually.await(Duration.ofSeconds(2), "the build to die with its node", () -> build.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(running(marker)).isZero();
        } finally {
            ProcessHandle.allProcesses().filter(process -> process.info().commandLine().orElse("").contains(marker))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static long running(String marker) {
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine().orElse("").contains(marker)).count();
    }

    @Test
    void aRestartedNodeKillsWhatItsPreviousRunLeftBehind() throws Exception {
        String owner = "node-" + UUID.randomUUID().toString().substring(0, 8);
        ProcessBuilder builder = new ProcessBuilder("setsid", "sh", "-c", "sleep 300 & sleep 300; echo " + owner);
        builder.environment().put(BuildSandbox.OWNER_VARIABLE, owner);
        Process leftover = builder.start();
        processes.add(leftover);
        Eventually.await(Duration.ofSeconds(10), "the leftover to start its children", () -> leftover.descendants().count() >= 2);
        List<ProcessHandle> children = leftover.descendants().toList();

        assertThat(BuildSandbox.killLeftovers("node-someone-else")).isZero();
        assertThat(BuildSandbox.killLeftovers(owner)).isPositive();

        assertThat(leftover.waitFor(5, TimeUnit.SECONDS)).isTrue();
        for (ProcessHandle child : children) {
            assertThat(child.onExit().get(5, TimeUnit.SECONDS).isAlive()).isFalse();
        }
    }
}
