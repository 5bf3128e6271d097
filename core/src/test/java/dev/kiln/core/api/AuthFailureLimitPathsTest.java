package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.RawHttp;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/**
 * The failed-authentication limit covers the GitHub-compatible paths too, answering there in
 * GitHub's shape; one limit per address across both APIs; webhook signatures do not count.
 * Each test sends from its own loopback address, which stands for its own client.
 */
class AuthFailureLimitPathsTest {

    private static final String API = "/api/v1/public";
    private static final String GITHUB_STATUSES = "/api/v3/repos/someone/something/deployments/1/statuses";
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + TestKiln.ADMIN);
    private static final Map<String, String> WRONG = Map.of("Authorization", "token kiln_wrong");

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();

    /** Sends wrong tokens until the answer is not 401; returns that answer. */
    private static RawHttp.Response wrongTokensUntilLimited(String client, String path) throws Exception {
        int unauthorized = 0;
        for (int i = 0; i < 40; i++) {
            RawHttp.Response response = RawHttp.send(kiln.baseUrl(), client, "GET", path, WRONG, null);
            if (response.status() != 401) {
                // A few more than the burst when the machine is slow enough for some to drain meanwhile.
                assertThat(unauthorized).isBetween(AuthFailureLimit.BURST, AuthFailureLimit.BURST + 5);
                return response;
            }
            unauthorized++;
        }
        throw new AssertionError("40 wrong tokens on " + path + " and never limited");
    }

    private static void assertGithubLimited(RawHttp.Response response) {
        assertThat(response.status()).isEqualTo(429);
        assertThat(Long.parseLong(response.headers().get("retry-after"))).isBetween(1L, AuthFailureLimit.DRAIN_SECONDS * 2);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("message")).isEqualTo("Maximum number of login attempts exceeded. Please try again later.");
        assertThat(body.getString("documentation_url")).startsWith("https://docs.github.com/");
        assertThat(body.containsKey("error")).isFalse();
    }

    @Test
    void wrongTokensOnGithubPathsAreLimitedInGithubsShapeAndOnKilnsPathsInTheEnvelope() throws Exception {
        String client = "127.0.0.81";
        assertGithubLimited(wrongTokensUntilLimited(client, GITHUB_STATUSES));
        // Even the right token waits, from that address, on every path that takes one.
        assertGithubLimited(RawHttp.send(kiln.baseUrl(), client, "GET", GITHUB_STATUSES, ADMIN, null));
        assertGithubLimited(RawHttp.send(kiln.baseUrl(), client, "GET", API + "/projects/1/deployments/1/statuses", ADMIN, null));
        RawHttp.Response kilnPath = RawHttp.send(kiln.baseUrl(), client, "GET", API + "/projects", ADMIN, null);
        assertThat(kilnPath.status()).isEqualTo(429);
        assertThat(kilnPath.errorCode()).isEqualTo("rate_limited");
        assertThat(kilnPath.headers()).containsKey("retry-after");
        // Other addresses carry on.
        assertThat(RawHttp.send(kiln.baseUrl(), "127.0.0.1", "GET", GITHUB_STATUSES, ADMIN, null).status()).isEqualTo(404);
    }

    @Test
    void wrongTokensOnKilnsStatusesPathsCountToo() throws Exception {
        String client = "127.0.0.82";
        assertGithubLimited(wrongTokensUntilLimited(client, API + "/projects/1/deployments/1/statuses"));
        assertGithubLimited(RawHttp.send(kiln.baseUrl(), client, "GET", GITHUB_STATUSES, ADMIN, null));
    }

    @Test
    void wrongTokensOnKilnsApiLimitTheGithubPaths() throws Exception {
        String client = "127.0.0.83";
        RawHttp.Response limited = wrongTokensUntilLimited(client, API + "/projects");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.errorCode()).isEqualTo("rate_limited");
        assertGithubLimited(RawHttp.send(kiln.baseUrl(), client, "GET", GITHUB_STATUSES, ADMIN, null));
    }

    @Test
    void wrongWebhookSignaturesDoNotCountAndALimitedAddressStillDelivers() throws Exception {
        long projectId;
        try (GitRepo repo = GitRepo.create(temp.resolve("hooked"))) {
            repo.write("index.html", "hooked").commit("one");
            projectId = kiln.createProject("Hooked", repo.url(), null).getLong("id");
        }
        String secret = kiln.admin("POST", "/projects/" + projectId + "/webhook-secret", null).data().getString("secret");
        byte[] ping = new JsonObject().put("zen", "Keep it logically awesome.").encode().getBytes(StandardCharsets.UTF_8);

        String client = "127.0.0.84";
        for (int i = 0; i < AuthFailureLimit.BURST * 2; i++) {
            RawHttp.Response refused = RawHttp.send(kiln.baseUrl(), client, "POST", "/hooks/" + projectId,
                    signed("ping", hmac("not-the-secret", ping)), ping);
            assertThat(refused.status()).isEqualTo(401);
        }
        assertThat(RawHttp.send(kiln.baseUrl(), client, "GET", API + "/projects", ADMIN, null).status()).isEqualTo(200);

        String limitedClient = "127.0.0.85";
        wrongTokensUntilLimited(limitedClient, API + "/projects");
        RawHttp.Response delivered = RawHttp.send(kiln.baseUrl(), limitedClient, "POST", "/hooks/" + projectId,
                signed("ping", hmac(secret, ping)), ping);
        assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
        assertThat(new JsonObject(delivered.body()).getJsonObject("data").getString("ignored")).isNotBlank();
    }

    private static Map<String, String> signed(String event, String signature) {
        return Map.of("Content-Type", "application/json", "X-GitHub-Event", event, "X-GitHub-Delivery", java.util.UUID.randomUUID().toString(),
                "X-Hub-Signature-256", "sha256=" + signature);
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
