package dev.kiln.core.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An unmodified GitHub client, {@code @octokit/rest} run by Node, uses Kiln's {@code /api/v3} as
 * its base URL; every answer is checked against GitHub's published OpenAPI description of the
 * operation, so a drift from GitHub's shapes fails here. The client and its pinned packages are
 * in {@code src/test/github-client}; {@code npm ci} installs them when they are missing.
 */
class GithubClientTest {

    private static final Path CLIENT = Path.of("src", "test", "github-client").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeAll
    static void client() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        installClient();
    }

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("git/acme/site.git");
        repo.write("index.html", "<h1>site</h1>").commit("site");
    }

    /** {@code npm ci}, once: when node_modules is missing or older than the lock file. */
    private static void installClient() throws Exception {
        Path installed = CLIENT.resolve("node_modules/.package-lock.json");
        FileTime locked = Files.getLastModifiedTime(CLIENT.resolve("package-lock.json"));
        if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(locked) >= 0) {
            return;
        }
        Path log = kiln.directory("client").resolve("npm-ci.log");
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(CLIENT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!npm.waitFor(10, TimeUnit.MINUTES)) {
            npm.destroyForcibly();
            throw new AssertionError("npm ci did not finish in 10 minutes:\n" + Files.readString(log));
        }
        assertThat(npm.exitValue()).as("npm ci in %s:\n%s", CLIENT, Files.readString(log)).isZero();
        // @octokit/openapi unpacks to about 400 MB, nine tenths of it descriptions the client never
        // reads (dereferenced copies, GitHub Enterprise Cloud): drop those to spare the disk.
        try (var files = Files.list(CLIENT.resolve("node_modules/@octokit/openapi/generated"))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".deref.json") || name.startsWith("ghec")) {
                    Files.delete(file);
                }
            }
        }
    }

    private static JsonObject runClient(String token, long deploymentId) throws IOException, InterruptedException {
        Path stdout = kiln.directory("client").resolve("client.out");
        Path stderr = kiln.directory("client").resolve("client.err");
        ProcessBuilder builder = new ProcessBuilder("node", "client.mjs").directory(CLIENT.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        env.put("KILN_BASE_URL", kiln.baseUrl() + "/api/v3");
        env.put("KILN_TOKEN", token);
        env.put("KILN_OWNER", "acme");
        env.put("KILN_REPO", "site");
        env.put("KILN_DEPLOYMENT_ID", String.valueOf(deploymentId));
        Process node = builder.start();
        if (!node.waitFor(5, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            throw new AssertionError("the client did not finish in 5 minutes:\n" + Files.readString(stderr));
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        assertThat(node.exitValue()).as("node client.mjs failed:\n%s\n%s", out, Files.readString(stderr)).isZero();
        return new JsonObject(out.trim());
    }

    @Test
    void octokitListsCreatesAndGetsStatusesInGithubsShapes() throws Exception {
        long projectId = kiln.createProject("Octokit", repo.url(), null).getLong("id");
        long deploymentId = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, deploymentId, WAIT, "deployed");

        JsonObject report = runClient(TestKiln.ADMIN, deploymentId);
        assertThat(report.getJsonArray("specs")).hasSize(2);
        Map<String, JsonObject> calls = new HashMap<>();
        for (Object item : report.getJsonArray("calls")) {
            JsonObject call = (JsonObject) item;
            calls.put(call.getString("name"), call);
            JsonObject errors = call.getJsonObject("schemaErrors");
            assertThat(errors.fieldNames()).hasSize(2);
            for (String spec : errors.fieldNames()) {
                assertThat(errors.getJsonArray(spec)).as("%s against %s: %s", call.getString("name"), spec, call.encode()).isEmpty();
            }
        }
        assertThat(calls.keySet()).containsExactlyInAnyOrder("list", "create", "get", "createWithDefaults", "listAll", "paginate",
                "getMissing", "listOtherRepo", "createInvalidState", "createLongDescription", "listWithoutToken", "listWithBadToken");

        JsonObject list = calls.get("list");
        assertThat(list.getInteger("status")).isEqualTo(200);
        assertThat(list.getString("contentType")).isEqualTo("application/json; charset=utf-8");
        assertThat(StatusPaths.states(list.getJsonArray("data"))).containsExactly("success", "in_progress", "queued");

        JsonObject create = calls.get("create");
        assertThat(create.getInteger("status")).isEqualTo(201);
        JsonObject created = create.getJsonObject("data");
        assertThat(create.getString("location")).isEqualTo(created.getString("url"));
        assertThat(created.getString("url")).startsWith(kiln.baseUrl() + "/api/v3/repos/acme/site/deployments/" + deploymentId + "/statuses/");
        assertThat(created.getString("state")).isEqualTo("success");
        assertThat(created.getString("target_url")).isEqualTo("https://ci.example/runs/42");
        assertThat(created.getString("log_url")).isEqualTo("https://ci.example/runs/42");
        assertThat(created.getString("environment_url")).isEqualTo("https://site.example/");
        assertThat(calls.get("get").getInteger("status")).isEqualTo(200);
        assertThat(calls.get("get").getJsonObject("data")).isEqualTo(created);

        JsonObject defaults = calls.get("createWithDefaults").getJsonObject("data");
        assertThat(defaults.getString("target_url")).isEmpty();
        assertThat(defaults.getString("environment")).isEqualTo("production");

        JsonArray all = calls.get("listAll").getJsonArray("data");
        assertThat(all).hasSize(5);
        assertThat(calls.get("paginate").getJsonArray("data")).isEqualTo(all);

        assertThat(calls.get("getMissing").getInteger("status")).isEqualTo(404);
        assertThat(calls.get("getMissing").getJsonObject("data").getString("message")).isEqualTo("Not Found");
        assertThat(calls.get("listOtherRepo").getInteger("status")).isEqualTo(404);
        JsonObject invalid = calls.get("createInvalidState");
        assertThat(invalid.getInteger("status")).isEqualTo(422);
        assertThat(invalid.getJsonObject("data").getString("message")).isEqualTo("Validation Failed");
        assertThat(invalid.getJsonObject("data").getJsonArray("errors")).containsExactly(
                new JsonObject().put("resource", "DeploymentStatus").put("field", "state").put("code", "invalid"));
        assertThat(calls.get("createLongDescription").getInteger("status")).isEqualTo(422);
        for (String name : List.of("listWithoutToken", "listWithBadToken")) {
            assertThat(calls.get(name).getInteger("status")).as(name).isEqualTo(401);
        }
        assertThat(calls.get("listWithoutToken").getJsonObject("data").getString("message")).isEqualTo("Requires authentication");
        assertThat(calls.get("listWithBadToken").getJsonObject("data").getString("message")).isEqualTo("Bad credentials");
    }
}
