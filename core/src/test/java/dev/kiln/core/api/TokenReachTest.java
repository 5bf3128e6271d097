package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** What a token that is not an admin's can reach: no local remotes, no other project's deployments. */
class TokenReachTest {

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "hi").commit("one");
    }

    private static String token(JsonArray projectIds) throws Exception {
        JsonObject body = new JsonObject().put("name", "t" + System.nanoTime());
        if (projectIds != null) {
            body.put("project_ids", projectIds);
        }
        return kiln.admin("POST", "/tokens", body).data().getString("token");
    }

    @Test
    void localRemotesNeedAnAdminToken() throws Exception {
        long projectId = kiln.createProject("Mine", repo.url(), null).getLong("id");
        String scoped = token(new JsonArray().add(projectId));
        for (String url : new String[] {"file:///etc", "http://127.0.0.1:9/x.git", "https://10.1.2.3/x.git", "http://localhost/x.git",
                                        "http://169.254.169.254/latest.git", "git@[::1]:x.git"}) {
            Response refused = kiln.api("PATCH", "/projects/" + projectId, scoped, new JsonObject().put("repo_url", url).encode());
            assertThat(refused.status()).as(url).isEqualTo(422);
            assertThat(refused.errorCode()).isEqualTo("validation_error");
            assertThat(refused.json().getJsonObject("error").getString("message")).as(url)
                    .startsWith("repo_url: ").contains("admin token", "git.allow_local");
        }
        // Changing something else keeps the admin's local URL.
        assertThat(kiln.api("PATCH", "/projects/" + projectId, scoped, new JsonObject().put("build_command", "true").encode()).status())
                .isEqualTo(200);
        assertThat(kiln.api("PATCH", "/projects/" + projectId, scoped,
                new JsonObject().put("repo_url", "https://git.example.com/team/site.git").encode()).status()).isEqualTo(200);

        String unscoped = token(null);
        Response created = kiln.api("POST", "/projects", unscoped,
                new JsonObject().put("name", "Sneaky").put("repo_url", "file://" + repo.directory()).encode());
        assertThat(created.status()).isEqualTo(422);
        assertThat(kiln.admin("POST", "/projects", new JsonObject().put("name", "Admin's").put("repo_url", "file://" + repo.directory()))
                .status()).isEqualTo(201);
    }

    @Test
    void aScopedTokenSeesOnlyItsOwnDeploymentsOnTheNodes() throws Exception {
        long mine = kiln.createProject("Visible", repo.url(), null).getLong("id");
        long theirs = kiln.createProject("Hidden", repo.url(), new JsonObject().put("build_command", "sleep 30")).getLong("id");
        String scoped = token(new JsonArray().add(mine));
        long running = kiln.trigger(theirs).getLong("id");
        try {
            kiln.awaitStatus(theirs, running, Duration.ofSeconds(60), "building");
            Eventually.await(Duration.ofSeconds(30), "the node to list the running deployment",
                    () -> runningDeployments(TestKiln.ADMIN).contains(running));
            assertThat(runningDeployments(scoped)).doesNotContain(running);
        } finally {
            kiln.admin("POST", "/projects/" + theirs + "/deployments/" + running + "/cancel", null);
        }
    }

    private static java.util.List<Long> runningDeployments(String token) throws Exception {
        JsonArray nodes = kiln.api("GET", "/nodes", token, null).json().getJsonArray("data");
        java.util.List<Long> all = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            nodes.getJsonObject(i).getJsonArray("running_deployments").forEach(id -> all.add(((Number) id).longValue()));
        }
        return all;
    }
}
