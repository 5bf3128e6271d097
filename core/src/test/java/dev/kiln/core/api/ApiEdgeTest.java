package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.RawHttp;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonObject;

/** Every input is checked at the API's edge: 400, 413, 414, 422, 429, 431 in the envelope, never a 500. */
class ApiEdgeTest {

    private static final String API = "/api/v1/public";
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + TestKiln.ADMIN);

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("dist/dist/index.html", "<h1>nested</h1>").commit("first");
    }

    private JsonObject project(String name) {
        return new JsonObject().put("name", name).put("repo_url", repo.url()).put("builder", "shell");
    }

    private static void assertInvalid(Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(422);
        assertThat(response.errorCode()).isEqualTo("validation_error");
        assertThat(response.json().getJsonObject("error").getString("message")).startsWith(field);
    }

    @Test
    void repeatedNamesInPathsWorkAndDotDotIsRefused() throws Exception {
        Response created = kiln.admin("POST", "/projects", project("Nested dist").put("output_directory", "./dist//dist/"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.data().getString("output_directory")).isEqualTo("dist/dist");
        long id = created.data().getLong("id");
        long deployment = kiln.trigger(id).getLong("id");
        assertThat(kiln.awaitStatus(id, deployment, Duration.ofSeconds(60), "deployed", "failed").getString("status")).isEqualTo("deployed");

        for (String path : new String[] {"a/../../b", "..", "a/..", "/etc", "a\\b", "a/b\u0000", "a\nb"}) {
            assertInvalid(kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("root_directory", path)), "root_directory");
            assertInvalid(kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("output_directory", path)), "output_directory");
        }
        assertInvalid(kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("root_directory", "a/".repeat(600))), "root_directory");
        assertThat(kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("root_directory", "src/src/./app")).data()
                .getString("root_directory")).isEqualTo("src/src/app");
    }

    @Test
    void controlCharactersAndOverlongValuesAre422NamingTheField() throws Exception {
        assertInvalid(kiln.admin("POST", "/projects", project("nul\u0000name")), "name");
        assertInvalid(kiln.admin("POST", "/projects", project("bell\u0007name")), "name");
        assertInvalid(kiln.admin("POST", "/projects", project("x".repeat(101))), "name");
        assertInvalid(kiln.admin("POST", "/projects", project("Env nul").put("env", new JsonObject().put("A", "x\u0000y"))), "env.A");
        assertInvalid(kiln.admin("POST", "/projects", project("Env long").put("env", new JsonObject().put("A", "x".repeat(70_000)))),
                "env.A");
        assertInvalid(kiln.admin("POST", "/projects", project("Cmd nul").put("build_command", "echo \u0000")), "build_command");
        assertInvalid(kiln.admin("POST", "/projects", project("Cmd long").put("build_command", "x".repeat(5000))), "build_command");
        assertInvalid(kiln.admin("POST", "/projects", project("Url").put("repo_url", repo.url() + "\u0001")), "repo_url");
        assertInvalid(kiln.admin("POST", "/tokens", new JsonObject().put("name", "tok\u0000en")), "name");
        assertInvalid(kiln.admin("POST", "/tokens", new JsonObject().put("name", "tok\ten")), "name");
        // A key with NUL is named, escaped.
        Response key = kiln.api("POST", "/projects", TestKiln.ADMIN, "{\"na\\u0000me\":1}");
        assertThat(key.status()).isEqualTo(422);
        assertThat(key.body()).contains("na\\\\u0000me");
        // Multi-line commands stay fine.
        assertThat(kiln.admin("POST", "/projects", project("Two lines").put("build_command", "echo a\n\techo b")).status()).isEqualTo(201);
    }

    @Test
    void bodiesThatAreNotJsonAre400() throws Exception {
        long id = kiln.createProject("Bodies", repo.url(), new JsonObject().put("builder", "shell")).getLong("id");
        long deployment = kiln.trigger(id).getLong("id");
        kiln.awaitStatus(id, deployment, Duration.ofSeconds(60), "deployed", "failed");
        for (String action : new String[] {"cancel", "rollback"}) {
            String path = API + "/projects/" + id + "/deployments/" + deployment + "/" + action;
            RawHttp.Response malformed = RawHttp.send(kiln.baseUrl(), null, "POST", path,
                    Map.of("Authorization", "Bearer " + TestKiln.ADMIN, "Content-Type", "application/json"), bytes("{not json"));
            assertThat(malformed.status()).as(action).isEqualTo(400);
            assertThat(malformed.errorCode()).isEqualTo("bad_request");
            Response unknown = kiln.admin("POST", "/projects/" + id + "/deployments/" + deployment + "/" + action,
                    new JsonObject().put("force", true));
            assertInvalid(unknown, "force");
        }
        RawHttp.Response text = RawHttp.send(kiln.baseUrl(), null, "POST", API + "/projects",
                Map.of("Authorization", "Bearer " + TestKiln.ADMIN, "Content-Type", "text/plain"),
                bytes(project("Plain text").encode()));
        assertThat(text.status()).isEqualTo(400);
        assertThat(text.body()).contains("application/json");
        RawHttp.Response array = RawHttp.send(kiln.baseUrl(), null, "POST", API + "/projects",
                Map.of("Authorization", "Bearer " + TestKiln.ADMIN, "Content-Type", "application/json"), bytes("[1,2]"));
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.errorCode()).isEqualTo("bad_request");
    }

    @Test
    void transportErrorsUseTheEnvelope() throws Exception {
        RawHttp.Response longUrl = RawHttp.send(kiln.baseUrl(), null, "GET", API + "/projects?x=" + "a".repeat(5000), ADMIN, null);
        assertThat(longUrl.status()).isEqualTo(414);
        assertThat(longUrl.errorCode()).isEqualTo("uri_too_long");

        RawHttp.Response bigHeader = RawHttp.send(kiln.baseUrl(), null, "GET", API + "/projects",
                Map.of("Authorization", "Bearer " + TestKiln.ADMIN, "X-Big", "b".repeat(20_000)), null);
        assertThat(bigHeader.status()).isEqualTo(431);
        assertThat(bigHeader.errorCode()).isEqualTo("headers_too_large");

        for (String target : new String[] {API + "/projects/%", API + "/projects/%zz", API + "/plugins/%4", API + "/projects?page=%zz",
                "/sites/x/%zz", API + "/%E0%A4%A"}) {
            RawHttp.Response escape = RawHttp.send(kiln.baseUrl(), null, "GET", target, ADMIN, null);
            assertThat(escape.status()).as(target).isEqualTo(400);
            assertThat(escape.errorCode()).as(target).isEqualTo("bad_request");
        }

        RawHttp.Response control = RawHttp.send(kiln.baseUrl(), null, "POST", API + "/projects",
                Map.of("Authorization", "Bearer " + TestKiln.ADMIN, "Content-Type", "application/json\u0001"), bytes("{}"));
        assertThat(control.status()).isEqualTo(400);
        assertThat(control.errorCode()).isEqualTo("bad_request");

        RawHttp.Response nul = RawHttp.send(kiln.baseUrl(), null, "GET", API + "/plugins/%00", ADMIN, null);
        assertThat(nul.status()).isEqualTo(404);
        assertThat(nul.errorCode()).isEqualTo("not_found");
    }

    @Test
    void headWorksWhereverGetDoes() throws Exception {
        long id = kiln.createProject("Head", repo.url(), new JsonObject().put("builder", "shell")).getLong("id");
        for (String path : new String[] {"/health", "/projects", "/projects/" + id, "/projects/" + id + "/deployments", "/nodes",
                "/plugins", "/tokens"}) {
            RawHttp.Response get = RawHttp.send(kiln.baseUrl(), null, "GET", API + path, ADMIN, null);
            RawHttp.Response head = RawHttp.send(kiln.baseUrl(), null, "HEAD", API + path, ADMIN, null);
            assertThat(get.status()).as(path).isEqualTo(200);
            assertThat(head.status()).as(path).isEqualTo(200);
            assertThat(head.headers().get("content-type")).as(path).isEqualTo(get.headers().get("content-type"));
            assertThat(head.body()).as(path).isEmpty();
        }
        assertThat(RawHttp.send(kiln.baseUrl(), null, "HEAD", API + "/projects/999999", ADMIN, null).status()).isEqualTo(404);
        assertThat(RawHttp.send(kiln.baseUrl(), null, "HEAD", API + "/projects", Map.of(), null).status()).isEqualTo(401);
    }

    @Test
    void repeatedWrongTokensAreRateLimitedPerAddress() throws Exception {
        // Another loopback address stands for another client; 127.0.0.1 is not affected.
        String client = "127.0.0.77";
        Map<String, String> wrong = Map.of("Authorization", "Bearer kiln_wrong");
        RawHttp.Response last = null;
        int unauthorized = 0;
        for (int i = 0; i < 40; i++) {
            last = RawHttp.send(kiln.baseUrl(), client, "GET", API + "/projects", wrong, null);
            if (last.status() == 401) {
                unauthorized++;
            } else {
                break;
            }
        }
        // A few more when the machine is slow enough for some to drain meanwhile.
        assertThat(unauthorized).isBetween(AuthFailureLimit.BURST, AuthFailureLimit.BURST + 5);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.errorCode()).isEqualTo("rate_limited");
        long retryAfter = Long.parseLong(last.headers().get("retry-after"));
        assertThat(retryAfter).isBetween(1L, AuthFailureLimit.DRAIN_SECONDS * 2);
        // Even the right token waits, from that address; other addresses carry on.
        assertThat(RawHttp.send(kiln.baseUrl(), client, "GET", API + "/projects", ADMIN, null).status()).isEqualTo(429);
        assertThat(RawHttp.send(kiln.baseUrl(), "127.0.0.1", "GET", API + "/projects", ADMIN, null).status()).isEqualTo(200);
        // After Retry-After, the address may try again.
        int status = Eventually.value(Duration.ofSeconds(retryAfter + 10), "the limit to lift after Retry-After", () -> {
            int answer = RawHttp.send(kiln.baseUrl(), client, "GET", API + "/projects", ADMIN, null).status();
            return answer == 429 ? null : answer;
        });
        assertThat(status).isEqualTo(200);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
