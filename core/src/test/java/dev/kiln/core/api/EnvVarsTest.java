package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.pipeline.Redactor;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The env-vars API, the same data as the project's env object, and what secrecy changes in a build's log. */
class EnvVarsTest {

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "hi").commit("one");
    }

    private static Response post(long projectId, JsonObject body) throws Exception {
        return kiln.admin("POST", "/projects/" + projectId + "/env-vars", body);
    }

    @Test
    void variablesAreListedCreatedChangedAndDeleted() throws Exception {
        long projectId = kiln.createProject("Vars", repo.url(), new JsonObject().put("env", new JsonObject().put("OLD", "from-env-object")))
                .getLong("id");
        JsonArray listed = kiln.admin("GET", "/projects/" + projectId + "/env-vars", null).json().getJsonArray("data");
        assertThat(listed).hasSize(1);
        assertThat(listed.getJsonObject(0).getString("key")).isEqualTo("OLD");
        assertThat(listed.getJsonObject(0).getString("value")).isEqualTo(Redactor.MASK);
        assertThat(listed.getJsonObject(0).getBoolean("is_secret")).isTrue();

        Response plain = post(projectId, new JsonObject().put("key", "NODE_ENV").put("value", "production"));
        assertThat(plain.status()).isEqualTo(201);
        assertThat(plain.data().fieldNames()).contains("id", "project_id", "key", "value", "is_secret", "created_at", "updated_at");
        assertThat(plain.data().getString("value")).isEqualTo("production");
        assertThat(plain.data().getBoolean("is_secret")).isFalse();
        Response secret = post(projectId, new JsonObject().put("key", "TOKEN").put("value", "tok-123456").put("is_secret", true));
        assertThat(secret.data().getString("value")).isEqualTo(Redactor.MASK);
        assertThat(secret.body()).doesNotContain("tok-123456");
        Response shortSecret = post(projectId, new JsonObject().put("key", "PIN").put("value", "42").put("is_secret", true));
        assertThat(shortSecret.data().getString("warning")).contains("shorter than 4");

        assertThat(post(projectId, new JsonObject().put("key", "TOKEN").put("value", "again")).status()).isEqualTo(409);
        for (String bad : new String[] {"1ABC", "A-B", "", "A B"}) {
            Response invalid = post(projectId, new JsonObject().put("key", bad).put("value", "x"));
            assertThat(invalid.status()).as(bad).isEqualTo(422);
            assertThat(invalid.body()).contains("key");
        }
        assertThat(post(projectId, new JsonObject().put("key", "X").put("value", 5)).status()).isEqualTo(422);
        assertThat(post(projectId, new JsonObject().put("key", "X").put("value", "v").put("is_secret", "yes")).status()).isEqualTo(422);

        // The env object is the same set of variables.
        JsonObject env = kiln.admin("GET", "/projects/" + projectId, null).data().getJsonObject("env");
        assertThat(env.fieldNames()).containsExactlyInAnyOrder("OLD", "NODE_ENV", "TOKEN", "PIN");

        long plainId = plain.data().getLong("id");
        Response patched = kiln.admin("PATCH", "/projects/" + projectId + "/env-vars/" + plainId,
                new JsonObject().put("value", "staging").put("is_secret", true));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.data().getString("value")).isEqualTo(Redactor.MASK);
        assertThat(kiln.admin("PATCH", "/projects/" + projectId + "/env-vars/999999", new JsonObject().put("value", "x")).status())
                .isEqualTo(404);

        assertThat(kiln.admin("DELETE", "/projects/" + projectId + "/env-vars/" + plainId, null).status()).isEqualTo(204);
        assertThat(kiln.admin("DELETE", "/projects/" + projectId + "/env-vars/" + plainId, null).status()).isEqualTo(404);
        env = kiln.admin("GET", "/projects/" + projectId, null).data().getJsonObject("env");
        assertThat(env.fieldNames()).containsExactlyInAnyOrder("OLD", "TOKEN", "PIN");

        // Writing the env object changes the variables too.
        kiln.admin("PATCH", "/projects/" + projectId, new JsonObject().put("env", new JsonObject().put("TOKEN", Redactor.MASK).put("NEW", "n")));
        JsonArray after = kiln.admin("GET", "/projects/" + projectId + "/env-vars", null).json().getJsonArray("data");
        assertThat(after.stream().map(item -> ((JsonObject) item).getString("key"))).containsExactly("NEW", "TOKEN");

        long otherProject = kiln.createProject("Someone else's", repo.url(), null).getLong("id");
        String other = kiln.admin("POST", "/tokens", new JsonObject().put("name", "other").put("project_ids", new JsonArray().add(otherProject)))
                .data().getString("token");
        assertThat(kiln.api("GET", "/projects/" + projectId + "/env-vars", other, null).status()).isEqualTo(404);
        assertThat(kiln.api("POST", "/projects/" + projectId + "/env-vars", other,
                new JsonObject().put("key", "A").put("value", "b").encode()).status()).isEqualTo(403);
    }

    @Test
    void onlySecretValuesAreMaskedInTheLog() throws Exception {
        long projectId = kiln.createProject("Mixed", repo.url(), new JsonObject().put("build_command", "echo \"$MODE $KEY\"")).getLong("id");
        post(projectId, new JsonObject().put("key", "MODE").put("value", "production"));
        post(projectId, new JsonObject().put("key", "KEY").put("value", "hidden-key-value").put("is_secret", true));
        long id = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, id, Duration.ofSeconds(60), "deployed");
        String logs = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + id + "/logs", null).data().getString("build_logs");
        assertThat(logs).contains("production " + Redactor.MASK).doesNotContain("hidden-key-value");
    }
}
