package dev.kiln.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Trigger, the pipeline, serving, cancel and rollback, end to end through the API. */
class DeploymentPipelineTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "<h1>v1</h1>").write("css/site.css", "body{}").write("docs/index.html", "docs")
                .write("about.html", "about").write("data.json", "{}").commit("first version");
    }

    private static String site(String url) throws Exception {
        Response response = kiln.get(url);
        return response.status() + " " + response.body();
    }

    @Test
    void triggerBuildsAndServesTheSite() throws Exception {
        JsonObject project = kiln.createProject("Served", repo.url(), null);
        long projectId = project.getLong("id");
        JsonObject queued = kiln.trigger(projectId);
        assertThat(queued.getString("status")).isEqualTo("queued");
        assertThat(queued.getString("commit_sha")).hasSize(40);
        assertThat(queued.getString("commit_message")).isEqualTo("first version");
        assertThat(queued.getString("commit_author")).isEqualTo("Ada Lovelace");
        assertThat(queued.getString("branch")).isEqualTo("main");
        assertThat(queued.fieldNames()).contains("id", "project_id", "deployment_url", "build_time_seconds", "error_message",
                "created_at", "deployed_at");

        JsonObject deployed = kiln.awaitStatus(projectId, queued.getLong("id"), WAIT, "deployed", "failed");
        assertThat(deployed.getString("status")).isEqualTo("deployed");
        assertThat(deployed.getString("deployed_at")).isNotNull();
        assertThat(deployed.getBoolean("active")).isTrue();
        assertThat(deployed.getInteger("build_time_seconds")).isNotNull();
        assertThat(deployed.getJsonArray("warnings")).isEmpty();

        String url = deployed.getString("deployment_url");
        assertThat(site(url)).isEqualTo("200 <h1>v1</h1>");
        assertThat(site(project.getString("production_url"))).isEqualTo("200 <h1>v1</h1>");
        Response css = kiln.get(url + "css/site.css");
        assertThat(css.header("Content-Type")).isEqualTo("text/css; charset=utf-8");
        Response json = kiln.get(url + "data.json");
        assertThat(json.header("Content-Type")).startsWith("application/json");
        assertThat(site(url + "about")).isEqualTo("200 about");
        assertThat(site(url + "missing.html")).startsWith("404");
        Response directory = kiln.get(url + "docs");
        assertThat(directory.status()).isEqualTo(301);
        assertThat(directory.header("Location")).endsWith("/docs/");
        assertThat(site(url + "docs/")).isEqualTo("200 docs");
        assertThat(kiln.send("GET", "/sites/served/%2e%2e/%2e%2e/etc/passwd", Map.of(), null).status()).isEqualTo(404);
        assertThat(kiln.send("GET", "/sites/served/d/" + queued.getLong("id") + "/..%2f..%2fetc/passwd", Map.of(), null).status())
                .isEqualTo(404);
        assertThat(kiln.send("GET", "/sites/nobody-here/", Map.of(), null).status()).isEqualTo(404);

        Response logs = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + queued.getLong("id") + "/logs", null);
        assertThat(logs.data().getString("status")).isEqualTo("deployed");
        assertThat(logs.data().getString("build_logs")).contains("cloning", "building", "uploading", "deployed at");
        assertThat(logs.data().getValue("error_message")).isNull();

        Response list = kiln.admin("GET", "/projects/" + projectId + "/deployments", null);
        assertThat(list.json().getJsonArray("data")).hasSize(1);
        assertThat(list.json().getJsonObject("meta").getInteger("per_page")).isEqualTo(20);
    }

    @Test
    void everyLineABuildPrintsJustBeforeItEndsIsKept() throws Exception {
        // 50,000 lines written as fast as the shell can, then the build ends at once.
        long projectId = kiln.createProject("Chatty", repo.url(), new JsonObject().put("build_command", "seq 1 50000")).getLong("id");
        long id = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, id, WAIT, "deployed");
        String logs = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + id + "/logs", null).data().getString("build_logs");
        assertThat(logs).contains("\n1\n", "\n25000\n", "\n50000\n");
        assertThat(logs.lines().filter(line -> line.matches("\\d+")).count()).isEqualTo(50_000);
    }

    @Test
    void newDeploymentTakesOverAndRollbackSwitchesBackWithoutRebuilding() throws Exception {
        GitRepo own = kiln.repository("rollback-repo");
        own.write("index.html", "one").commit("one");
        JsonObject project = kiln.createProject("Rollback", own.url(), null);
        long projectId = project.getLong("id");
        long first = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, first, WAIT, "deployed");
        own.write("index.html", "two").commit("two");
        long second = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, second, WAIT, "deployed");
        String production = project.getString("production_url");
        assertThat(site(production)).isEqualTo("200 two");
        // Each deployment keeps its own URL.
        assertThat(site(kiln.admin("GET", "/projects/" + projectId + "/deployments/" + first, null).data().getString("deployment_url")))
                .isEqualTo("200 one");

        Response active = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + second + "/rollback", null);
        assertThat(active.status()).isEqualTo(422);

        Response rolledBack = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + first + "/rollback", null);
        assertThat(rolledBack.status()).isEqualTo(200);
        assertThat(rolledBack.data().getBoolean("active")).isTrue();
        assertThat(site(production)).isEqualTo("200 one");
        assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getLong("active_deployment_id")).isEqualTo(first);
        // No new deployment was created by the rollback.
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments", null).json().getJsonObject("meta").getLong("total"))
                .isEqualTo(2);
    }

    @Test
    void rollbackToAFailedDeploymentIs422AndWhileAnotherRunsIs409() throws Exception {
        JsonObject project = kiln.createProject("Rollback rules", repo.url(), new JsonObject().put("build_command", "exit 3"));
        long projectId = project.getLong("id");
        long failed = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, failed, WAIT, "failed");
        Response toFailed = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + failed + "/rollback", null);
        assertThat(toFailed.status()).isEqualTo(422);
        assertThat(toFailed.errorCode()).isEqualTo("validation_error");

        kiln.admin("PATCH", "/projects/" + projectId, new JsonObject().putNull("build_command"));
        long good = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, good, WAIT, "deployed");
        long newer = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, newer, WAIT, "deployed");
        kiln.admin("PATCH", "/projects/" + projectId, new JsonObject().put("build_command", "sleep 30"));
        long slow = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, slow, WAIT, "building");
        Response busy = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + good + "/rollback", null);
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.errorCode()).isEqualTo("conflict");
        // A project with a deployment in progress cannot be deleted either.
        assertThat(kiln.admin("DELETE", "/projects/" + projectId, null).status()).isEqualTo(409);
        assertThat(kiln.admin("POST", "/projects/" + projectId + "/deployments/" + slow + "/cancel", null).status()).isEqualTo(200);
        assertThat(kiln.admin("POST", "/projects/" + projectId + "/deployments/" + good + "/rollback", null).status()).isEqualTo(200);
    }

    @Test
    void failingBuildReportsExitCodeAndLastLines() throws Exception {
        JsonObject project = kiln.createProject("Failing", repo.url(),
                new JsonObject().put("build_command", "echo compiling; echo 'error: missing semicolon' >&2; exit 7"));
        long projectId = project.getLong("id");
        long id = kiln.trigger(projectId).getLong("id");
        JsonObject failed = kiln.awaitStatus(projectId, id, WAIT, "failed", "deployed");
        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(failed.getString("error_message")).contains("exited with code 7", "error: missing semicolon");
        Response logs = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + id + "/logs", null);
        assertThat(logs.data().getString("build_logs")).contains("compiling", "error: missing semicolon");
        assertThat(logs.data().getString("error_message")).contains("exited with code 7");
        // A finished deployment cannot be cancelled.
        Response cancel = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + id + "/cancel", null);
        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.errorCode()).isEqualTo("conflict");
    }

    @Test
    void buildThatRunsTooLongTimesOut() throws Exception {
        JsonObject project = kiln.createProject("Slowpoke", repo.url(),
                new JsonObject().put("build_command", "sleep 120").put("build_timeout_seconds", 1));
        long projectId = project.getLong("id");
        long id = kiln.trigger(projectId).getLong("id");
        JsonObject failed = kiln.awaitStatus(projectId, id, WAIT, "failed", "deployed");
        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(failed.getString("error_message")).contains("timed out after 1 s");
    }

    private static long running(String marker) {
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine().orElse("").contains(marker)).count();
    }

    @Test
    void cancelKillsTheWholeProcessTree() throws Exception {
        // The build runs in its own PID namespace and /tmp: the test finds its processes by a marker.
        String marker = "kiln-cancel-tree-" + java.util.UUID.randomUUID();
        JsonObject project = kiln.createProject("Cancelled", repo.url(),
                new JsonObject().put("build_command", "sh -c 'sleep 300; echo " + marker + "' & wait"));
        long projectId = project.getLong("id");
        long id = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, id, WAIT, "building");
        Eventually.await(WAIT, "the build to start its background process", () -> running(marker) >= 2);

        Response cancelled = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + id + "/cancel", null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.data().getString("status")).isEqualTo("cancelled");

        Eventually.await(Duration.ofSeconds(5), "the build's processes to be gone after cancel", () -> running(marker) == 0);
        // The cancelled attempt writes nothing more: once the node reports it no longer runs it, it is still cancelled.
        Eventually.await(WAIT, "the node to report the cancelled attempt ended", () -> {
            io.vertx.core.json.JsonArray nodes = kiln.admin("GET", "/nodes", null).json().getJsonArray("data");
            return nodes.getJsonObject(0).getJsonObject("executors").getInteger("busy") == 0
                    && nodes.getJsonObject(0).getJsonArray("running_deployments").isEmpty();
        });
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments/" + id, null).data().getString("status"))
                .isEqualTo("cancelled");
        assertThat(kiln.admin("POST", "/projects/" + projectId + "/deployments/" + id + "/cancel", null).status()).isEqualTo(409);
    }

    @Test
    void unknownBranchIs422AndUnreachableRepositoryIs502AndNothingIsCreated() throws Exception {
        long projectId = kiln.createProject("Branches", repo.url(), null).getLong("id");
        Response branch = kiln.admin("POST", "/projects/" + projectId + "/deployments", new JsonObject().put("branch", "nope"));
        assertThat(branch.status()).isEqualTo(422);
        assertThat(branch.errorCode()).isEqualTo("validation_error");
        assertThat(branch.json().getJsonObject("error").getString("message")).startsWith("branch").contains("nope");

        long unreachable = kiln.createProject("Unreachable", kiln.directory("unreachable").resolve("does-not-exist").toUri().toString(), null).getLong("id");
        Response upstream = kiln.admin("POST", "/projects/" + unreachable + "/deployments", null);
        assertThat(upstream.status()).isEqualTo(502);
        assertThat(upstream.errorCode()).isEqualTo("upstream_error");

        long closedPort = kiln.createProject("Closed port", "http://127.0.0.1:1/repo.git", null).getLong("id");
        assertThat(kiln.admin("POST", "/projects/" + closedPort + "/deployments", null).status()).isEqualTo(502);

        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments", null).json().getJsonArray("data")).isEmpty();
        assertThat(kiln.admin("GET", "/projects/" + unreachable + "/deployments", null).json().getJsonArray("data")).isEmpty();
        Response badBody = kiln.admin("POST", "/projects/" + projectId + "/deployments", new JsonObject().put("brunch", "main"));
        assertThat(badBody.status()).isEqualTo(422);
    }

    @Test
    void anotherProjectsDeploymentIsNotFound() throws Exception {
        long first = kiln.createProject("Owner A", repo.url(), null).getLong("id");
        long second = kiln.createProject("Owner B", repo.url(), null).getLong("id");
        long deployment = kiln.trigger(first).getLong("id");
        kiln.awaitStatus(first, deployment, WAIT, "deployed");
        for (String suffix : new String[] {"", "/logs", "/logs/stream"}) {
            assertThat(kiln.admin("GET", "/projects/" + second + "/deployments/" + deployment + suffix, null).status()).isEqualTo(404);
        }
        assertThat(kiln.admin("POST", "/projects/" + second + "/deployments/" + deployment + "/cancel", null).status()).isEqualTo(404);
        assertThat(kiln.admin("POST", "/projects/" + second + "/deployments/" + deployment + "/rollback", null).status()).isEqualTo(404);
    }

    @Test
    void outputDirectoryAndRootDirectoryAndEnvReachTheBuild() throws Exception {
        GitRepo mono = kiln.repository("mono");
        mono.write("apps/web/build.sh", "mkdir -p dist && echo \"$GREETING from $KILN_BRANCH\" > dist/index.html").commit("mono");
        JsonObject project = kiln.createProject("Mono", mono.url(), new JsonObject()
                .put("root_directory", "apps/web").put("build_command", "sh build.sh").put("output_directory", "dist")
                .put("env", new JsonObject().put("GREETING", "hello")));
        long projectId = project.getLong("id");
        long id = kiln.trigger(projectId).getLong("id");
        JsonObject deployed = kiln.awaitStatus(projectId, id, WAIT, "deployed", "failed");
        assertThat(deployed.getString("status")).isEqualTo("deployed");
        assertThat(site(deployed.getString("deployment_url"))).isEqualTo("200 hello from main\n");
    }

    @Test
    void deletingAProjectRemovesItsDeployments() throws Exception {
        long projectId = kiln.createProject("Doomed", repo.url(), null).getLong("id");
        long id = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, id, WAIT, "deployed");
        assertThat(kiln.admin("DELETE", "/projects/" + projectId, null).status()).isEqualTo(204);
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments/" + id, null).status()).isEqualTo(404);
        assertThat(kiln.send("GET", "/sites/doomed/", Map.of(), null).status()).isEqualTo(404);
    }

    @Test
    void theBuilderIsDetectedOnceAtTriggerAndTheRunnerReusesItsTree() throws Exception {
        long projectId = kiln.createProject("Detected", repo.url(), new JsonObject().putNull("builder")).getLong("id");
        JsonObject queued = kiln.trigger(projectId);
        // Stored at trigger: the queue sends the job to a node with this builder.
        assertThat(queued.getString("builder")).isEqualTo("shell");
        long id = queued.getLong("id");
        assertThat(kiln.awaitStatus(projectId, id, WAIT, "deployed", "failed").getString("status")).isEqualTo("deployed");
        String logs = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + id + "/logs", null).data().getString("build_logs");
        assertThat(logs).contains("using the tree exported when the builder was detected")
                .contains("detected plain; building with 'shell'")
                .doesNotContain("failed to inspect");
        assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getString("detected_framework")).isEqualTo("plain");
    }

    @Test
    void manyDeploymentsAtOnceAllFinish() throws Exception {
        long projectId = kiln.createProject("Burst", repo.url(), null).getLong("id");
        JsonArray ids = new JsonArray();
        for (int i = 0; i < 8; i++) {
            ids.add(kiln.trigger(projectId).getLong("id"));
        }
        long last = 0;
        for (Object id : ids) {
            // A newer deployment of the branch cancels the ones still queued; the others all deploy.
            JsonObject done = kiln.awaitStatus(projectId, (Long) id, WAIT, "deployed", "cancelled", "failed");
            assertThat(done.getString("status")).isIn("deployed", "cancelled");
            if (done.getString("status").equals("cancelled")) {
                assertThat(done.getString("error_message")).startsWith("superseded by deployment ");
            }
            last = Math.max(last, (Long) id);
        }
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments/" + last, null).data().getString("status")).isEqualTo("deployed");
        // The newest deployment is the one live, whatever order they finished in.
        assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getLong("active_deployment_id")).isEqualTo(last);
    }

    @Test
    void anOutputWithoutIndexHtmlDeploysWithAWarning() throws Exception {
        JsonObject project = kiln.createProject("No home page", repo.url(), new JsonObject().put("output_directory", "css"));
        long projectId = project.getLong("id");
        long deploymentId = kiln.trigger(projectId).getLong("id");

        JsonObject deployed = kiln.awaitStatus(projectId, deploymentId, WAIT, "deployed", "failed");

        assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");
        String warning = "the output 'css' has no index.html, so the deployment's / answers 404; check the project's output_directory";
        assertThat(deployed.getJsonArray("warnings")).containsExactly(warning);
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null).data()
                .getString("build_logs")).contains("[kiln] warning: " + warning);
        assertThat(site(deployed.getString("deployment_url") + "site.css")).isEqualTo("200 body{}");
    }
}
