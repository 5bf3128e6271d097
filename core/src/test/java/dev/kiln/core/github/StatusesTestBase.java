package dev.kiln.core.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.github.StatusPaths.PathSet;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonObject;

/**
 * A node with repositories whose URLs end in {@code acme/site.git/} and {@code other/thing/}, and
 * helpers for the statuses endpoints' tests. Each test makes its own projects, so that no other
 * test's deployments mark its deployments inactive.
 */
abstract class StatusesTestBase {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String CREATE_DOCS = "https://docs.github.com/rest/deployments/statuses#create-a-deployment-status";
    static final String GET_DOCS = "https://docs.github.com/rest/deployments/statuses#get-a-deployment-status";
    static final String LIST_DOCS = "https://docs.github.com/rest/deployments/statuses#list-deployment-statuses";
    static final List<String> STATUS_FIELDS = List.of("url", "id", "node_id", "state", "creator", "description",
            "environment", "target_url", "created_at", "updated_at", "deployment_url", "repository_url", "environment_url", "log_url");
    static final List<String> USER_FIELDS = List.of("login", "id", "node_id", "avatar_url", "gravatar_id", "url",
            "html_url", "followers_url", "following_url", "gists_url", "starred_url", "subscriptions_url", "organizations_url",
            "repos_url", "events_url", "received_events_url", "type", "site_admin");
    static final AtomicInteger PROJECTS = new AtomicInteger();

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;
    GitRepo otherRepo;

    @BeforeEach
    void repositories() throws Exception {
        // The repository URL ends in acme/site.git/: GitHub's paths name it acme/site.
        repo = kiln.repository("git/acme/site.git");
        repo.write("index.html", "<h1>site</h1>").commit("site");
        repo.branch("feature").write("index.html", "<h1>feature</h1>").commit("feature");
        repo.checkout("main");
        otherRepo = kiln.repository("git/other/thing");
        otherRepo.write("index.html", "<h1>other</h1>").commit("other");
    }

    /** A project of its own, so that no other test's deployments mark this one's inactive. */
    static long project(GitRepo source) throws Exception {
        return kiln.createProject("Statuses " + PROJECTS.incrementAndGet(), source.url(), null).getLong("id");
    }

    static long deployed(long projectId) throws Exception {
        long id = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, id, WAIT, "deployed");
        return id;
    }

    static StatusPaths paths(PathSet set, long projectId, long deploymentId) {
        return StatusPaths.of(kiln, set, projectId, "acme/site", deploymentId);
    }

    StatusPaths fresh(PathSet set) throws Exception {
        long projectId = project(repo);
        return paths(set, projectId, deployed(projectId));
    }

    static void assertGithubError(Response response, int status, String message, String documentation) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        JsonObject body = response.json();
        assertThat(body.getString("message")).isEqualTo(message);
        assertThat(body.getString("documentation_url")).isEqualTo(documentation);
        assertThat(body.getString("status")).isEqualTo(String.valueOf(status));
        assertThat(body.containsKey("error")).as("not Kiln's envelope").isFalse();
    }

    static void assertValidationFailed(Response response, JsonObject... errors) {
        assertGithubError(response, 422, "Validation Failed", CREATE_DOCS);
        assertThat(response.json().getJsonArray("errors")).containsExactly((Object[]) errors);
    }

    static JsonObject fieldError(String field, String code) {
        return new JsonObject().put("resource", "DeploymentStatus").put("field", field).put("code", code);
    }
}
