package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Every endpoint's real answers, successes and errors, validated against the OpenAPI document
 * served at {@code /api/v1/public/openapi.json}; and every operation of the document exercised.
 */
class OpenApiContractTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BASE = "/api/v1/public";

    // DNS lookups for domain verification go to a port where nothing answers: no lookup leaves the machine.
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().settings(Map.of("dns.server", "127.0.0.1:9"));
    static ContractCheck contract;
    GitRepo repo;

    @BeforeAll
    static void loadContract() throws Exception {
        contract = new ContractCheck();
    }

    @AfterAll
    static void closeContract() {
        contract.close();
    }

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("acme/site");
        repo.write("index.html", "<h1>one</h1>").commit("one");
    }

    private static Response call(String method, String path, String token, String body) throws Exception {
        Map<String, String> headers = new HashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        return contract.check(method, path, kiln.send(method, path, headers, body));
    }

    private static Response admin(String method, String path, JsonObject body) throws Exception {
        return call(method, BASE + path, TestKiln.ADMIN, body == null ? null : body.encode());
    }

    @Test
    void everyEndpointAnswersAsTheDocumentSays() throws Exception {
        Response document = call("GET", BASE + "/openapi.json", null, null);
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.json().getString("openapi")).isEqualTo("3.1.0");
        assertThat(call("GET", BASE + "/health", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/health", null, null).status()).isEqualTo(200);

        // Projects.
        assertThat(call("GET", BASE + "/projects", null, null).status()).isEqualTo(401);
        assertThat(call("GET", BASE + "/projects", "wrong-token", null).status()).isEqualTo(401);
        Response created = admin("POST", "/projects", new JsonObject().put("name", "Contract").put("repo_url", repo.url()).put("builder", "shell"));
        assertThat(created.status()).isEqualTo(201);
        long project = created.data().getLong("id");
        assertThat(admin("POST", "/projects", new JsonObject().put("name", "Contract").put("repo_url", repo.url())).status()).isEqualTo(409);
        assertThat(admin("POST", "/projects", new JsonObject().put("repo_url", repo.url())).status()).isEqualTo(422);
        assertThat(call("POST", BASE + "/projects", TestKiln.ADMIN, "{not json").status()).isEqualTo(400);
        assertThat(admin("GET", "/projects?per_page=5", null).status()).isEqualTo(200);
        assertThat(admin("GET", "/projects?page=0", null).status()).isEqualTo(422);
        assertThat(admin("GET", "/projects/" + project, null).status()).isEqualTo(200);
        assertThat(admin("GET", "/projects/999999", null).status()).isEqualTo(404);
        assertThat(admin("PATCH", "/projects/" + project, new JsonObject().put("build_timeout_seconds", 300)).status()).isEqualTo(200);
        assertThat(admin("PATCH", "/projects/" + project, new JsonObject().put("build_timeout_seconds", "soon")).status()).isEqualTo(422);
        assertThat(admin("PATCH", "/projects/" + project, new JsonObject().put("node_version", ">=18 <21")).data().getString("node_version"))
                .isEqualTo(">=18 <21");
        assertThat(admin("PATCH", "/projects/" + project, new JsonObject().put("node_version", "lts/*")).status()).isEqualTo(422);
        assertThat(admin("DELETE", "/projects/" + project + "/cache", null).status()).isEqualTo(204);

        // Deployments, logs, rollback, cancel.
        Response first = admin("POST", "/projects/" + project + "/deployments", null);
        assertThat(first.status()).isEqualTo(201);
        long one = first.data().getLong("id");
        kiln.awaitStatus(project, one, WAIT, "deployed");
        repo.write("index.html", "<h1>two</h1>").commit("two");
        long two = admin("POST", "/projects/" + project + "/deployments", new JsonObject().put("branch", "main")).data().getLong("id");
        kiln.awaitStatus(project, two, WAIT, "deployed");
        assertThat(admin("POST", "/projects/" + project + "/deployments", new JsonObject().put("branch", "no-such-branch")).status())
                .isEqualTo(422);
        assertThat(admin("GET", "/projects/" + project + "/deployments", null).status()).isEqualTo(200);
        assertThat(admin("GET", "/projects/" + project + "/deployments?per_page=101", null).status()).isEqualTo(422);
        assertThat(admin("GET", "/projects/" + project + "/deployments/" + one, null).status()).isEqualTo(200);
        assertThat(admin("GET", "/projects/" + project + "/deployments/424242", null).status()).isEqualTo(404);
        assertThat(admin("GET", "/projects/" + project + "/deployments/" + one + "/logs", null).status()).isEqualTo(200);
        assertThat(admin("GET", "/projects/" + project + "/deployments/" + one + "/logs?format=text", null).status()).isEqualTo(200);
        assertThat(admin("GET", "/projects/" + project + "/deployments/" + one + "/logs?format=yaml", null).status()).isEqualTo(422);
        assertThat(admin("GET", "/projects/" + project + "/deployments/" + one + "/logs/stream", null).status()).isEqualTo(200);
        assertThat(admin("GET", "/projects/424242/deployments/1/logs/stream", null).status()).isEqualTo(404);
        assertThat(admin("POST", "/projects/" + project + "/deployments/" + one + "/cancel", null).status()).isEqualTo(409);
        assertThat(admin("POST", "/projects/" + project + "/deployments/" + two + "/rollback", null).status()).isEqualTo(422);
        assertThat(admin("POST", "/projects/" + project + "/deployments/" + one + "/rollback", null).status()).isEqualTo(200);

        // GitHub-compatible statuses, at Kiln's paths and GitHub's.
        String statuses = BASE + "/projects/" + project + "/deployments/" + one + "/statuses";
        assertThat(call("GET", statuses, TestKiln.ADMIN, null).status()).isEqualTo(200);
        Response status = call("POST", statuses, TestKiln.ADMIN, new JsonObject().put("state", "success").put("description", "ok").encode());
        assertThat(status.status()).isEqualTo(201);
        assertThat(call("POST", statuses, TestKiln.ADMIN, new JsonObject().put("state", "bogus").encode()).status()).isEqualTo(422);
        assertThat(call("GET", statuses + "/" + status.json().getLong("id"), TestKiln.ADMIN, null).status()).isEqualTo(200);
        assertThat(call("GET", statuses + "/987654", TestKiln.ADMIN, null).status()).isEqualTo(404);
        String github = "/api/v3/repos/acme/site/deployments/" + one + "/statuses";
        assertThat(call("GET", github, TestKiln.ADMIN, null).status()).isEqualTo(200);
        Response githubStatus = call("POST", github, TestKiln.ADMIN, new JsonObject().put("state", "in_progress").encode());
        assertThat(githubStatus.status()).isEqualTo(201);
        assertThat(call("GET", github + "/" + githubStatus.json().getLong("id"), TestKiln.ADMIN, null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/v3/repos/acme/other/deployments/" + one + "/statuses", TestKiln.ADMIN, null).status()).isEqualTo(404);

        // Promote, phases.
        assertThat(admin("POST", "/projects/" + project + "/deployments/" + two + "/promote", null).status()).isEqualTo(200);
        assertThat(admin("POST", "/projects/" + project + "/deployments/424242/promote", null).status()).isEqualTo(404);
        assertThat(admin("GET", "/projects/" + project + "/deployments/" + one + "/phases", null).status()).isEqualTo(200);

        // Build variables.
        String vars = "/projects/" + project + "/env-vars";
        Response variable = admin("POST", vars, new JsonObject().put("key", "API_KEY").put("value", "a-secret-value").put("is_secret", true));
        assertThat(variable.status()).isEqualTo(201);
        assertThat(admin("POST", vars, new JsonObject().put("key", "API_KEY").put("value", "again")).status()).isEqualTo(409);
        assertThat(admin("POST", vars, new JsonObject().put("key", "1BAD").put("value", "x")).status()).isEqualTo(422);
        assertThat(admin("GET", vars, null).status()).isEqualTo(200);
        long variableId = variable.data().getLong("id");
        assertThat(admin("PATCH", vars + "/" + variableId, new JsonObject().put("value", "another-secret")).status()).isEqualTo(200);
        assertThat(admin("PATCH", vars + "/" + variableId, new JsonObject().put("is_secret", "yes")).status()).isEqualTo(422);
        assertThat(admin("DELETE", vars + "/" + variableId, null).status()).isEqualTo(204);
        assertThat(admin("DELETE", vars + "/" + variableId, null).status()).isEqualTo(404);

        // Webhooks: the secret, and deliveries with and without a valid signature, at both paths.
        Response secret = admin("POST", "/projects/" + project + "/webhook-secret", null);
        assertThat(secret.status()).isEqualTo(201);
        String ping = new JsonObject().put("zen", "Keep it logically awesome.").put("hook_id", 1).encode();
        Map<String, String> signed = Map.of("X-GitHub-Event", "ping", "X-GitHub-Delivery", "contract-1",
                "X-Hub-Signature-256", "sha256=" + hmac(secret.data().getString("secret"), ping), "Content-Type", "application/json");
        assertThat(contract.check("POST", "/hooks/" + project, kiln.send("POST", "/hooks/" + project, signed, ping)).status()).isEqualTo(200);
        assertThat(contract.check("POST", BASE + "/hooks/" + project, kiln.send("POST", BASE + "/hooks/" + project,
                Map.of("X-GitHub-Event", "ping", "X-GitHub-Delivery", "contract-2", "X-Hub-Signature-256", "sha256=00"), ping)).status())
                .isEqualTo(401);
        assertThat(contract.check("POST", "/hooks/999999", kiln.send("POST", "/hooks/999999", signed, ping)).status()).isEqualTo(404);

        // A reverse proxy's question before it asks for a certificate.
        String productionHost = java.net.URI.create(admin("GET", "/projects/" + project, null).data().getString("production_url")).getHost();
        assertThat(call("GET", "/tls-check?domain=" + productionHost, null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/tls-check?domain=nothing.example.net", null, null).status()).isEqualTo(404);

        // Custom domains: added, verified (the admin shortcut), refused, removed.
        String domains = "/projects/" + project + "/domains";
        Response unverified = admin("POST", domains, new JsonObject().put("domain", "shop.example.com"));
        assertThat(unverified.status()).isEqualTo(201);
        assertThat(admin("POST", domains, new JsonObject().put("domain", "shop.example.com")).status()).isEqualTo(409);
        assertThat(admin("POST", domains, new JsonObject().put("domain", "not a host")).status()).isEqualTo(422);
        assertThat(admin("POST", domains, new JsonObject().put("domain", "www.example.org").put("verified", true)).status()).isEqualTo(201);
        assertThat(admin("GET", domains, null).status()).isEqualTo(200);
        assertThat(admin("POST", domains + "/" + unverified.data().getLong("id") + "/verify", null).status()).isIn(422, 502);
        assertThat(admin("DELETE", domains + "/" + unverified.data().getLong("id"), null).status()).isEqualTo(204);
        assertThat(admin("DELETE", domains + "/" + unverified.data().getLong("id"), null).status()).isEqualTo(404);

        // Notifications.
        String notifications = "/projects/" + project + "/notifications";
        Response subscription = admin("POST", notifications, new JsonObject().put("url", "https://hooks.example.com/kiln").put("secret", "x1"));
        assertThat(subscription.status()).isEqualTo(201);
        assertThat(admin("POST", notifications, new JsonObject().put("url", "gopher://x")).status()).isEqualTo(422);
        assertThat(admin("GET", notifications, null).status()).isEqualTo(200);
        long subscriptionId = subscription.data().getLong("id");
        assertThat(admin("GET", notifications + "/" + subscriptionId + "/deliveries", null).status()).isEqualTo(200);
        assertThat(admin("DELETE", notifications + "/" + subscriptionId, null).status()).isEqualTo(204);
        assertThat(admin("DELETE", notifications + "/" + subscriptionId, null).status()).isEqualTo(404);

        // Tokens: a scoped token sees its project and nothing else.
        Response token = admin("POST", "/tokens", new JsonObject().put("name", "scoped").put("project_ids", new JsonArray().add(project)));
        assertThat(token.status()).isEqualTo(201);
        String scoped = token.data().getString("token");
        assertThat(admin("POST", "/tokens", new JsonObject()).status()).isEqualTo(422);
        assertThat(admin("GET", "/tokens", null).status()).isEqualTo(200);
        assertThat(call("GET", BASE + "/tokens", scoped, null).status()).isEqualTo(403);
        assertThat(call("POST", BASE + "/projects", scoped, new JsonObject().put("name", "Nope").put("repo_url", repo.url()).encode()).status())
                .isEqualTo(403);
        assertThat(call("GET", BASE + "/projects/" + project, scoped, null).status()).isEqualTo(200);

        assertThat(call("GET", BASE + "/tokens/current", scoped, null).status()).isEqualTo(200);
        assertThat(admin("GET", "/endpoints", null).status()).isEqualTo(200);

        // Plugins and nodes.
        assertThat(admin("GET", "/plugins", null).status()).isEqualTo(200);
        assertThat(admin("GET", "/plugins/no-such-plugin", null).status()).isEqualTo(404);
        assertThat(call("POST", BASE + "/plugins", TestKiln.ADMIN, "not a jar").status()).isEqualTo(422);
        assertThat(admin("POST", "/plugins/no-such-plugin/disable", null).status()).isEqualTo(404);
        assertThat(admin("POST", "/plugins/no-such-plugin/enable", null).status()).isEqualTo(404);
        assertThat(admin("DELETE", "/plugins/no-such-plugin", null).status()).isEqualTo(404);
        assertThat(call("GET", BASE + "/plugins", scoped, null).status()).isEqualTo(403);
        assertThat(admin("GET", "/nodes", null).status()).isEqualTo(200);

        // Metrics.
        assertThat(call("GET", "/metrics", TestKiln.ADMIN, null).status()).isEqualTo(200);
        assertThat(call("GET", "/metrics", null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/metrics", scoped, null).status()).isEqualTo(403);

        // Deleting: a project and a token.
        long doomed = admin("POST", "/projects", new JsonObject().put("name", "Doomed").put("repo_url", repo.url())).data().getLong("id");
        assertThat(admin("DELETE", "/projects/" + doomed, null).status()).isEqualTo(204);
        assertThat(admin("DELETE", "/projects/" + doomed, null).status()).isEqualTo(404);
        assertThat(admin("DELETE", "/tokens/" + token.data().getLong("id"), null).status()).isEqualTo(204);

        assertThat(contract.unexercised(NOT_YET)).as("operations of the document no check exercised").isEmpty();
    }

    /** Operations of the contract whose endpoints have not landed yet. */
    private static final List<String> NOT_YET = List.of();

    private static String hmac(String secret, String body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
