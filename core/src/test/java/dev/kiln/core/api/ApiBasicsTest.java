package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Health, authentication, tokens, projects and the error envelope. */
class ApiBasicsTest {

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("index.html", "<h1>hello</h1>");
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        Response response = kiln.api("GET", "/health", null, null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.data().getString("status")).isEqualTo("ok");
        assertThat(response.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    }

    @Test
    void missingOrInvalidTokenIs401() throws Exception {
        Response missing = kiln.api("GET", "/projects", null, null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.errorCode()).isEqualTo("unauthorized");
        Response invalid = kiln.api("GET", "/projects", "nope", null);
        assertThat(invalid.status()).isEqualTo(401);
        Response wrongScheme = kiln.send("GET", "/api/v1/public/projects", Map.of("Authorization", "Basic abc"), null);
        assertThat(wrongScheme.status()).isEqualTo(401);
    }

    @Test
    void unknownEndpointIs404Envelope() throws Exception {
        Response response = kiln.admin("GET", "/nothing-here", null);
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.errorCode()).isEqualTo("not_found");
    }

    @Test
    void createsReadsUpdatesAndDeletesAProject() throws Exception {
        Response created = kiln.admin("POST", "/projects", new JsonObject()
                .put("name", "My Blog!").put("repo_url", repo.url()).put("builder", "shell")
                .put("env", new JsonObject().put("SECRET", "hunter2")).put("build_timeout_seconds", 60));
        assertThat(created.status()).isEqualTo(201);
        JsonObject project = created.data();
        assertThat(project.getString("slug")).isEqualTo("my-blog");
        assertThat(project.getString("default_branch")).isEqualTo("main");
        assertThat(project.getString("storage")).isEqualTo("local");
        assertThat(project.getInteger("build_timeout_seconds")).isEqualTo(60);
        assertThat(project.getString("production_url")).isEqualTo("http://my-blog.localhost:" + kiln.server().actualPort() + "/");
        assertThat(project.getJsonObject("env").getString("SECRET")).isEqualTo("••••••••");
        assertThat(project.getString("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00");
        assertThat(project.fieldNames()).contains("id", "name", "slug", "repo_url", "default_branch", "builder",
                "detected_framework", "install_command", "build_command", "output_directory", "root_directory", "storage",
                "production_url", "active_deployment_id", "created_at", "updated_at");
        long id = project.getLong("id");

        assertThat(kiln.admin("GET", "/projects/" + id, null).data().getString("name")).isEqualTo("My Blog!");

        Response patched = kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("build_command", "true")
                .put("env", new JsonObject().put("SECRET", "********").put("OTHER", "x")));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.data().getString("build_command")).isEqualTo("true");
        assertThat(patched.data().getString("name")).isEqualTo("My Blog!");
        assertThat(patched.data().getJsonObject("env").fieldNames()).containsExactlyInAnyOrder("SECRET", "OTHER");

        assertThat(kiln.admin("DELETE", "/projects/" + id, null).status()).isEqualTo(204);
        assertThat(kiln.admin("GET", "/projects/" + id, null).status()).isEqualTo(404);
        assertThat(kiln.admin("DELETE", "/projects/" + id, null).status()).isEqualTo(404);
    }

    @Test
    void projectValidationNamesTheField() throws Exception {
        assertInvalid(new JsonObject().put("repo_url", repo.url()), "name");
        assertInvalid(new JsonObject().put("name", "x1"), "repo_url");
        assertInvalid(new JsonObject().put("name", "x2").put("repo_url", "ftp://example.com/x"), "repo_url");
        assertInvalid(new JsonObject().put("name", "x3").put("repo_url", repo.url()).put("builder", "nope"), "builder");
        assertInvalid(new JsonObject().put("name", "x4").put("repo_url", repo.url()).put("storage", "nope"), "storage");
        assertInvalid(new JsonObject().put("name", "x5").put("repo_url", repo.url()).put("build_timeout_seconds", 0), "build_timeout_seconds");
        assertInvalid(new JsonObject().put("name", "x6").put("repo_url", repo.url()).put("build_timeout_seconds", "ten"), "build_timeout_seconds");
        assertInvalid(new JsonObject().put("name", "x7").put("repo_url", repo.url()).put("output_directory", "../etc"), "output_directory");
        assertInvalid(new JsonObject().put("name", "x8").put("repo_url", repo.url()).put("root_directory", "/abs"), "root_directory");
        assertInvalid(new JsonObject().put("name", "x9").put("repo_url", repo.url()).put("env", new JsonObject().put("1BAD", "v")), "env");
        assertInvalid(new JsonObject().put("name", "x10").put("repo_url", repo.url()).put("default_branch", "a..b"), "default_branch");
        assertInvalid(new JsonObject().put("name", "x11").put("repo_url", repo.url()).put("colour", "red"), "colour");
        assertInvalid(new JsonObject().put("name", 12).put("repo_url", repo.url()), "name");
    }

    private void assertInvalid(JsonObject body, String field) throws Exception {
        Response response = kiln.admin("POST", "/projects", body);
        assertThat(response.status()).as(body.encode()).isEqualTo(422);
        assertThat(response.errorCode()).isEqualTo("validation_error");
        assertThat(response.json().getJsonObject("error").getString("message")).startsWith(field);
    }

    @Test
    void duplicateNameIsAConflictAndSlugsStayUnique() throws Exception {
        kiln.createProject("Dup", repo.url(), null);
        Response again = kiln.admin("POST", "/projects", new JsonObject().put("name", "Dup").put("repo_url", repo.url()));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("conflict");
        JsonObject similar = kiln.createProject("dup?", repo.url(), null);
        assertThat(similar.getString("slug")).isEqualTo("dup-2");
    }

    @Test
    void malformedOrWrongBodiesAre400() throws Exception {
        Response malformed = kiln.api("POST", "/projects", TestKiln.ADMIN, "{\"name\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errorCode()).isEqualTo("bad_request");
        assertThat(kiln.api("POST", "/projects", TestKiln.ADMIN, "[1,2]").status()).isEqualTo(400);
        assertThat(kiln.api("POST", "/projects", TestKiln.ADMIN, "").status()).isEqualTo(400);
        Response tooLarge = kiln.api("POST", "/projects", TestKiln.ADMIN, "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.errorCode()).isEqualTo("payload_too_large");
    }

    @Test
    void paginationIsValidated() throws Exception {
        for (int i = 0; i < 3; i++) {
            kiln.createProject("Paged " + i, repo.url(), null);
        }
        Response page = kiln.admin("GET", "/projects?page=1&per_page=2", null);
        assertThat(page.status()).isEqualTo(200);
        JsonObject meta = page.json().getJsonObject("meta");
        assertThat(meta.getInteger("page")).isEqualTo(1);
        assertThat(meta.getInteger("per_page")).isEqualTo(2);
        assertThat(meta.getLong("total")).isGreaterThanOrEqualTo(3);
        assertThat(meta.getLong("total_pages")).isEqualTo((meta.getLong("total") + 1) / 2);
        JsonArray items = page.json().getJsonArray("data");
        assertThat(items).hasSize(2);
        assertThat(items.getJsonObject(0).getLong("id")).isGreaterThan(items.getJsonObject(1).getLong("id"));
        Response beyond = kiln.admin("GET", "/projects?page=999", null);
        assertThat(beyond.json().getJsonArray("data")).isEmpty();
        assertThat(beyond.json().getJsonObject("meta").getLong("total")).isEqualTo(meta.getLong("total"));
        for (String query : new String[] {"page=0", "page=-1", "page=x", "per_page=0", "per_page=101", "per_page=abc"}) {
            Response bad = kiln.admin("GET", "/projects?" + query, null);
            assertThat(bad.status()).as(query).isEqualTo(422);
            assertThat(bad.errorCode()).isEqualTo("validation_error");
        }
    }

    @Test
    void scopedTokensSeeOnlyTheirProjects() throws Exception {
        long mine = kiln.createProject("Scoped mine", repo.url(), null).getLong("id");
        long other = kiln.createProject("Scoped other", repo.url(), null).getLong("id");
        Response created = kiln.admin("POST", "/tokens", new JsonObject().put("name", "ci").put("project_ids", new JsonArray().add(mine)));
        assertThat(created.status()).isEqualTo(201);
        String token = created.data().getString("token");
        assertThat(token).startsWith("kiln_");
        long tokenId = created.data().getLong("id");

        assertThat(kiln.api("GET", "/projects/" + mine, token, null).status()).isEqualTo(200);
        assertThat(kiln.api("GET", "/projects/" + other, token, null).status()).isEqualTo(404);
        assertThat(kiln.api("GET", "/projects/" + other + "/deployments", token, null).status()).isEqualTo(404);
        Response write = kiln.api("PATCH", "/projects/" + other, token, "{\"build_command\":\"x\"}");
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.errorCode()).isEqualTo("forbidden");
        assertThat(kiln.api("POST", "/projects/" + other + "/deployments", token, null).status()).isEqualTo(403);
        JsonArray listed = new JsonObject(kiln.api("GET", "/projects", token, null).body()).getJsonArray("data");
        assertThat(listed).hasSize(1);
        assertThat(kiln.api("POST", "/projects", token, new JsonObject().put("name", "nope").put("repo_url", repo.url()).encode()).status())
                .isEqualTo(403);

        // Not an admin: no token management.
        assertThat(kiln.api("GET", "/tokens", token, null).status()).isEqualTo(403);

        Response list = kiln.admin("GET", "/tokens", null);
        assertThat(list.body()).doesNotContain(token);
        assertThat(kiln.admin("DELETE", "/tokens/" + tokenId, null).status()).isEqualTo(204);
        assertThat(kiln.api("GET", "/projects/" + mine, token, null).status()).isEqualTo(401);
        assertThat(kiln.admin("DELETE", "/tokens/" + tokenId, null).status()).isEqualTo(404);
    }

    @Test
    void tokenValidation() throws Exception {
        assertThat(kiln.admin("POST", "/tokens", new JsonObject()).status()).isEqualTo(422);
        assertThat(kiln.admin("POST", "/tokens", new JsonObject().put("name", "x").put("project_ids", "1")).status()).isEqualTo(422);
        Response unknownProject = kiln.admin("POST", "/tokens", new JsonObject().put("name", "x").put("project_ids", new JsonArray().add(999999)));
        assertThat(unknownProject.status()).isEqualTo(422);
        assertThat(unknownProject.body()).contains("999999");
    }

    @Test
    void unknownIdsAre404() throws Exception {
        assertThat(kiln.admin("GET", "/projects/999999", null).status()).isEqualTo(404);
        assertThat(kiln.admin("GET", "/projects/abc", null).status()).isEqualTo(404);
        assertThat(kiln.admin("GET", "/projects/999999/deployments", null).status()).isEqualTo(404);
        assertThat(kiln.admin("POST", "/projects/999999/deployments", null).status()).isEqualTo(404);
        long id = kiln.createProject("Lonely", repo.url(), null).getLong("id");
        assertThat(kiln.admin("GET", "/projects/" + id + "/deployments/999999", null).status()).isEqualTo(404);
        assertThat(kiln.admin("GET", "/projects/" + id + "/deployments/999999/logs", null).status()).isEqualTo(404);
        assertThat(kiln.admin("POST", "/projects/" + id + "/deployments/999999/cancel", null).status()).isEqualTo(404);
        assertThat(kiln.admin("POST", "/projects/" + id + "/deployments/999999/rollback", null).status()).isEqualTo(404);
    }
}
