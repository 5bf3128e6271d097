package dev.kiln.core.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.github.StatusPaths.PathSet;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The statuses Kiln's pipeline writes as deployments move, read through the GitHub-compatible API. */
class PipelineStatusesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger PROJECTS = new AtomicInteger();

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension()
            // Builds run in a sandbox with a /tmp of their own: the gates a test opens are shown to them read-only.
            .onStart(node -> node.server().sandbox().addReadOnlyMount(node.directory("gates")));
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("git/acme/site");
        repo.write("index.html", "<h1>site</h1>").commit("site");
        repo.branch("feature").write("index.html", "<h1>feature</h1>").commit("feature");
        repo.checkout("main");
    }

    private long project(JsonObject extra) throws Exception {
        return kiln.createProject("Pipeline " + PROJECTS.incrementAndGet(), repo.url(), extra).getLong("id");
    }

    private static JsonArray statuses(long projectId, long deploymentId) throws Exception {
        return StatusPaths.of(kiln, PathSet.GITHUB, projectId, "acme/site", deploymentId).listAll();
    }

    private static long deployed(long projectId) throws Exception {
        long id = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, id, WAIT, "deployed");
        return id;
    }

    @Test
    void aDeployedDeploymentHasQueuedInProgressAndSuccessWithItsUrls() throws Exception {
        long projectId = project(null);
        long id = deployed(projectId);
        JsonObject deployment = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + id, null).data();
        JsonArray statuses = statuses(projectId, id);
        assertThat(StatusPaths.states(statuses)).containsExactly("success", "in_progress", "queued");

        JsonObject success = statuses.getJsonObject(0);
        String logs = kiln.baseUrl() + "/api/v1/public/projects/" + projectId + "/deployments/" + id + "/logs";
        assertThat(success.getString("environment_url")).isEqualTo(deployment.getString("deployment_url"));
        assertThat(success.getString("log_url")).isEqualTo(logs);
        assertThat(success.getString("target_url")).isEqualTo(logs);
        assertThat(success.getString("description")).isEqualTo("Deployed");
        for (Object status : statuses) {
            assertThat(((JsonObject) status).getString("environment")).isEqualTo("production");
            assertThat(((JsonObject) status).getJsonObject("creator").getString("login")).isEqualTo("kiln[bot]");
        }
        assertThat(statuses.getJsonObject(1).getString("description")).startsWith("Building on node-");
    }

    @Test
    void aBranchDeploymentReportsToThePreviewEnvironment() throws Exception {
        long projectId = project(null);
        JsonObject preview = kiln.admin("POST", "/projects/" + projectId + "/deployments", new JsonObject().put("branch", "feature")).data();
        kiln.awaitStatus(projectId, preview.getLong("id"), WAIT, "deployed");
        JsonArray statuses = statuses(projectId, preview.getLong("id"));
        assertThat(StatusPaths.states(statuses)).containsExactly("success", "in_progress", "queued");
        assertThat(statuses.stream().map(status -> ((JsonObject) status).getString("environment"))).containsOnly("preview");
    }

    @Test
    void aFailingBuildEndsInFailure() throws Exception {
        long projectId = project(new JsonObject().put("build_command", "echo broken >&2; exit 3"));
        long id = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, id, WAIT, "failed");
        JsonArray statuses = statuses(projectId, id);
        assertThat(StatusPaths.states(statuses)).containsExactly("failure", "in_progress", "queued");
        assertThat(statuses.getJsonObject(0).getString("description")).contains("exited with code 3").hasSizeLessThanOrEqualTo(140);
    }

    @Test
    void aCancelledDeploymentEndsInError() throws Exception {
        long projectId = project(new JsonObject().put("build_command", "sleep 300"));
        long id = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, id, WAIT, "building");
        assertThat(kiln.admin("POST", "/projects/" + projectId + "/deployments/" + id + "/cancel", null).status()).isEqualTo(200);
        JsonArray statuses = statuses(projectId, id);
        assertThat(StatusPaths.states(statuses)).containsExactly("error", "in_progress", "queued");
        assertThat(statuses.getJsonObject(0).getString("description")).isEqualTo("Deployment cancelled");

        // Cancelled while still waiting in the queue (both executors busy): queued, then error.
        long busy = kiln.trigger(projectId).getLong("id");
        long alsoBusy = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, busy, WAIT, "building");
        kiln.awaitStatus(projectId, alsoBusy, WAIT, "building");
        long waiting = kiln.trigger(projectId).getLong("id");
        assertThat(kiln.admin("POST", "/projects/" + projectId + "/deployments/" + waiting + "/cancel", null).status()).isEqualTo(200);
        assertThat(StatusPaths.states(statuses(projectId, waiting))).containsExactly("error", "queued");
        for (long running : new long[] {busy, alsoBusy}) {
            assertThat(kiln.admin("POST", "/projects/" + projectId + "/deployments/" + running + "/cancel", null).status()).isEqualTo(200);
        }
    }

    @Test
    void aNewerDeploymentMakesTheOlderInactive() throws Exception {
        long projectId = project(null);
        long first = deployed(projectId);
        long second = deployed(projectId);
        JsonArray older = statuses(projectId, first);
        assertThat(StatusPaths.states(older)).containsExactly("inactive", "success", "in_progress", "queued");
        assertThat(older.getJsonObject(0).getString("environment")).isEqualTo("production");
        assertThat(older.getJsonObject(0).getString("description")).isEqualTo("Replaced by deployment " + second);
        assertThat(StatusPaths.states(statuses(projectId, second))).containsExactly("success", "in_progress", "queued");
    }

    @Test
    void rollbackMakesTheTargetSuccessAndTheReplacedInactive() throws Exception {
        long projectId = project(null);
        long first = deployed(projectId);
        long second = deployed(projectId);
        assertThat(kiln.admin("POST", "/projects/" + projectId + "/deployments/" + first + "/rollback", null).status()).isEqualTo(200);

        JsonArray target = statuses(projectId, first);
        assertThat(StatusPaths.states(target)).containsExactly("success", "inactive", "success", "in_progress", "queued");
        JsonObject rolledBack = target.getJsonObject(0);
        assertThat(rolledBack.getString("description")).isEqualTo("Rolled back to this deployment");
        assertThat(rolledBack.getString("environment_url"))
                .isEqualTo(kiln.admin("GET", "/projects/" + projectId + "/deployments/" + first, null).data().getString("deployment_url"));
        JsonArray replaced = statuses(projectId, second);
        assertThat(StatusPaths.states(replaced)).containsExactly("inactive", "success", "in_progress", "queued");
        assertThat(replaced.getJsonObject(0).getString("description")).isEqualTo("Replaced by deployment " + first);
    }

    @Test
    void aDeploymentThatFinishesAfterANewerOneWentLiveEndsInactive() throws Exception {
        Path go = kiln.directory("gates").resolve("go-" + PROJECTS.get());
        long projectId = project(new JsonObject().put("build_command", "while [ ! -f '" + go + "' ]; do sleep 0.05; done"));
        long slow = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, slow, WAIT, "building");
        kiln.admin("PATCH", "/projects/" + projectId, new JsonObject().putNull("build_command"));
        long fast = deployed(projectId);
        Files.writeString(go, "go");
        kiln.awaitStatus(projectId, slow, WAIT, "deployed");

        assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getLong("active_deployment_id")).isEqualTo(fast);
        JsonArray late = statuses(projectId, slow);
        assertThat(StatusPaths.states(late)).containsExactly("inactive", "success", "in_progress", "queued");
        assertThat(late.getJsonObject(0).getString("description")).isEqualTo("Replaced by deployment " + fast);
        assertThat(StatusPaths.states(statuses(projectId, fast))).containsExactly("success", "in_progress", "queued");
    }

    @Test
    void aClientStatusInAnotherEnvironmentDoesNotMoveWhereKilnReports() throws Exception {
        long projectId = project(null);
        long first = deployed(projectId);
        StatusPaths paths = StatusPaths.of(kiln, PathSet.KILN, projectId, null, first);
        paths.created(new JsonObject().put("state", "in_progress").put("environment", "qa"));
        long second = deployed(projectId);
        JsonArray statuses = statuses(projectId, second);
        assertThat(statuses.stream().map(status -> ((JsonObject) status).getString("environment"))).containsOnly("production");
    }
}
