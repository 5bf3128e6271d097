package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code GET .../logs?format=text}: the whole stored log as plain text, colours removed; the JSON form unchanged. */
class DeploymentLogTextTest {

    private static final String ESC = "\u001B";

    @TempDir
    static Path temp;
    static TestKiln kiln;
    static GitRepo repo;
    static long projectId;
    static long deploymentId;
    static String logs;

    @BeforeAll
    static void start() throws Exception {
        kiln = TestKiln.start(temp.resolve("data"));
        repo = GitRepo.create(temp.resolve("repo"));
        repo.write("index.html", "hi").commit("one");
        projectId = kiln.createProject("Coloured", repo.url(), new JsonObject()
                .put("build_command", "printf '\\033[31mred words\\033[0m and \\033[1mbold\\033[22m\\n'; echo plain line")).getLong("id");
        deploymentId = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, deploymentId, Duration.ofSeconds(60), "deployed");
        logs = "/projects/" + projectId + "/deployments/" + deploymentId + "/logs";
    }

    @AfterAll
    static void stop() {
        kiln.close();
        repo.close();
    }

    @Test
    void textIsTheWholeStoredLogWithoutColours() throws Exception {
        String stored = kiln.admin("GET", logs, null).data().getString("build_logs");
        assertThat(stored).contains(ESC + "[31mred words" + ESC + "[0m");

        Response text = kiln.api("GET", logs + "?format=text", TestKiln.ADMIN, null);
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(text.body()).doesNotContain(ESC).contains("red words and bold\n").contains("plain line\n");
        // Every stored line, in order, and nothing else.
        assertThat(text.body()).isEqualTo(stored.replaceAll(ESC + "\\[[0-9;]*m", "") + "\n");
    }

    @Test
    void jsonStaysTheDefault() throws Exception {
        Response plain = kiln.admin("GET", logs, null);
        Response json = kiln.admin("GET", logs + "?format=json", null);
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.header("Content-Type")).startsWith("application/json");
        assertThat(json.data()).isEqualTo(plain.data());
        assertThat(json.data().getString("status")).isEqualTo("deployed");
    }

    @Test
    void anyOtherFormatIsRefusedNamingIt() throws Exception {
        for (String query : new String[] {"?format=xml", "?format=", "?format=TEXT", "?format=text&format=json", "?format=%00"}) {
            Response refused = kiln.admin("GET", logs + query, null);
            assertThat(refused.status()).as(query).isEqualTo(422);
            assertThat(refused.errorCode()).as(query).isEqualTo("validation_error");
            assertThat(refused.json().getJsonObject("error").getString("message")).as(query).startsWith("format");
        }
    }

    @Test
    void scopedTokensReachOnlyTheirProjectsLog() throws Exception {
        long otherId = kiln.createProject("Elsewhere", repo.url(), null).getLong("id");
        String mine = token(projectId);
        String other = token(otherId);
        Response allowed = kiln.api("GET", logs + "?format=text", mine, null);
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.body()).contains("plain line");
        for (String query : new String[] {"?format=text", "?format=json", "?format=xml"}) {
            Response hidden = kiln.api("GET", logs + query, other, null);
            assertThat(hidden.status()).as(query).isEqualTo(404);
            assertThat(hidden.errorCode()).isEqualTo("not_found");
        }
        assertThat(kiln.api("GET", logs + "?format=text", null, null).status()).isEqualTo(401);
    }

    private static String token(long project) throws Exception {
        return kiln.admin("POST", "/tokens", new JsonObject().put("name", "t" + System.nanoTime())
                .put("project_ids", new JsonArray().add(project))).data().getString("token");
    }
}
