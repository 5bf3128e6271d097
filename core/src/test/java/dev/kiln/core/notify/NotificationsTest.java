package dev.kiln.core.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Signed notifications of deployment events, their retries, and the subscriptions API. */
class NotificationsTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    /** Fast timing for tests: the outbox is checked every 100 ms, retries start at 200 ms. */
    static final Map<String, String> FAST = Map.of("notifications.poll_ms", "100", "notifications.retry_base_ms", "200");

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().settings(FAST);
    static Receiver receiver;
    GitRepo repo;

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = new Receiver();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "<h1>v1</h1>").commit("First version");
    }

    @Test
    void aSignedSucceededEventArrivesWithTheDeploymentAndItsSignatureChecks() throws Exception {
        long project = kiln.createProject("notified", repo.url(), null).getLong("id");
        JsonObject subscription = subscribe(kiln, project, new JsonObject().put("url", receiver.url("/signed")).put("secret", "s3cret"));
        assertThat(subscription.getBoolean("has_secret")).isTrue();
        assertThat(subscription.containsKey("secret")).isFalse();
        assertThat(subscription.getJsonArray("events")).hasSize(5);

        long deployment = kiln.trigger(project).getLong("id");
        kiln.awaitStatus(project, deployment, WAIT, "deployed");

        Receiver.Received succeeded = awaitRequest(() -> find(receiver, "/signed", "deployment.succeeded"));
        assertThat(succeeded.headers().get("X-Kiln-Signature-256")).isEqualTo("sha256=" + hmac("s3cret", succeeded.body()));
        assertThat(succeeded.headers().get("Content-Type")).startsWith("application/json");
        JsonObject body = new JsonObject(succeeded.body());
        assertThat(body.getString("event")).isEqualTo("deployment.succeeded");
        assertThat(body.getJsonObject("deployment").getLong("id")).isEqualTo(deployment);
        assertThat(body.getJsonObject("deployment").getString("status")).isEqualTo("deployed");
        assertThat(body.getJsonObject("deployment").getString("commit_message")).isEqualTo("First version");
        assertThat(body.getJsonObject("deployment").getString("deployment_url")).isNotBlank();
        assertThat(body.getJsonObject("project").getString("slug")).isEqualTo("notified");
        assertThat(succeeded.headers().get("X-Kiln-Delivery")).isEqualTo(Long.toString(body.getLong("delivery_id")));

        awaitRequest(() -> find(receiver, "/signed", "deployment.started"));
        awaitRequest(() -> find(receiver, "/signed", "deployment.promoted"));
    }

    @Test
    void aReceiverThatFailsTwiceGetsRetriesAndEveryAttemptIsListed() throws Exception {
        long project = kiln.createProject("retried", repo.url(), null).getLong("id");
        JsonObject subscription = subscribe(kiln, project, new JsonObject().put("url", receiver.url("/flaky"))
                .put("events", new JsonArray().add("deployment.succeeded")));
        receiver.answerNext(500, 500);
        long deployment = kiln.trigger(project).getLong("id");
        kiln.awaitStatus(project, deployment, WAIT, "deployed");

        String deliveries = "/projects/" + project + "/notifications/" + subscription.getLong("id") + "/deliveries";
        JsonObject delivery = awaitValue(() -> {
            JsonArray items = kiln.admin("GET", deliveries, null).json().getJsonArray("data");
            return items.size() == 1 && "delivered".equals(items.getJsonObject(0).getString("status")) ? items.getJsonObject(0) : null;
        });
        assertThat(delivery.getString("event")).isEqualTo("deployment.succeeded");
        assertThat(delivery.getLong("deployment_id")).isEqualTo(deployment);
        JsonArray attempts = delivery.getJsonArray("attempts");
        assertThat(attempts).hasSize(3);
        assertThat(attempts.getJsonObject(0).getInteger("response_status")).isEqualTo(500);
        assertThat(attempts.getJsonObject(0).getString("error")).contains("500");
        assertThat(attempts.getJsonObject(1).getInteger("response_status")).isEqualTo(500);
        assertThat(attempts.getJsonObject(2).getInteger("response_status")).isEqualTo(200);
        assertThat(attempts.getJsonObject(2).getString("error")).isNull();
        List<Receiver.Received> sent = receiver.received().stream().filter(request -> request.path().equals("/flaky")).toList();
        assertThat(sent).hasSize(3);
        assertThat(sent).extracting(request -> request.headers().get("X-Kiln-Delivery")).containsOnly(Long.toString(delivery.getLong("id")));
        // Unsigned when the subscription has no secret.
        assertThat(sent.get(0).headers()).doesNotContainKey("X-Kiln-Signature-256");
    }

    @Test
    void aFailedBuildIsReportedAndSlackFormatCarriesOnlyText() throws Exception {
        long project = kiln.createProject("breaks", repo.url(), new JsonObject().put("build_command", "echo oops >&2; exit 3")).getLong("id");
        subscribe(kiln, project, new JsonObject().put("url", receiver.url("/slack")).put("format", "slack")
                .put("events", new JsonArray().add("deployment.failed")));
        long deployment = kiln.trigger(project).getLong("id");
        kiln.awaitStatus(project, deployment, WAIT, "failed");

        Receiver.Received failed = awaitRequest(() -> receiver.received().stream()
                .filter(request -> request.path().equals("/slack")).findFirst().orElse(null));
        JsonObject body = new JsonObject(failed.body());
        assertThat(body.fieldNames()).containsExactly("text");
        assertThat(body.getString("text")).startsWith("breaks: deployment #" + deployment).contains("failed");
        assertThat(failed.headers().get("X-Kiln-Event")).isEqualTo("deployment.failed");
    }

    @Test
    void subscriptionsAreValidatedListedAndDeleted() throws Exception {
        long project = kiln.createProject("subscribed", repo.url(), null).getLong("id");
        String path = "/projects/" + project + "/notifications";
        assertThat(kiln.admin("POST", path, new JsonObject().put("url", "ftp://example.com/x")).status()).isEqualTo(422);
        assertThat(kiln.admin("POST", path, new JsonObject()).errorCode()).isEqualTo("validation_error");
        var unknownEvent = kiln.admin("POST", path, new JsonObject().put("url", "https://example.com/x")
                .put("events", new JsonArray().add("deployment.exploded")));
        assertThat(unknownEvent.status()).isEqualTo(422);
        assertThat(unknownEvent.body()).contains("events");
        assertThat(kiln.admin("POST", path, new JsonObject().put("url", "https://example.com/x").put("format", "xml")).status())
                .isEqualTo(422);
        assertThat(kiln.admin("POST", path, new JsonObject().put("url", "https://example.com/x").put("colour", "red")).status())
                .isEqualTo(422);
        assertThat(kiln.api("POST", path, TestKiln.ADMIN, "not json").status()).isEqualTo(400);

        // A token limited to the project may subscribe public addresses, not loopback or private ones.
        String scoped = kiln.admin("POST", "/tokens", new JsonObject().put("name", "ci").put("project_ids", new JsonArray().add(project)))
                .data().getString("token");
        var local = kiln.api("POST", path, scoped, new JsonObject().put("url", "http://127.0.0.1:9/hook").encode());
        assertThat(local.status()).isEqualTo(422);
        assertThat(local.body()).contains("loopback");
        var created = kiln.api("POST", path, scoped, new JsonObject().put("url", "https://hooks.example.com/kiln").encode());
        assertThat(created.status()).isEqualTo(201);
        long id = created.data().getLong("id");

        JsonArray listed = kiln.api("GET", path, scoped, null).json().getJsonArray("data");
        assertThat(listed).hasSize(1);
        assertThat(listed.getJsonObject(0).getString("url")).isEqualTo("https://hooks.example.com/kiln");
        assertThat(listed.getJsonObject(0).getBoolean("has_secret")).isFalse();

        assertThat(kiln.api("DELETE", path + "/" + id, scoped, null).status()).isEqualTo(204);
        assertThat(kiln.api("DELETE", path + "/" + id, scoped, null).status()).isEqualTo(404);
        assertThat(kiln.api("GET", path + "/" + id + "/deliveries", scoped, null).status()).isEqualTo(404);
        // Another project's subscriptions are not this token's business.
        long other = kiln.createProject("not-yours", repo.url(), null).getLong("id");
        assertThat(kiln.api("GET", "/projects/" + other + "/notifications", scoped, null).status()).isEqualTo(404);
        assertThat(kiln.api("POST", "/projects/" + other + "/notifications", scoped,
                new JsonObject().put("url", "https://hooks.example.com/kiln").encode()).status()).isEqualTo(403);
    }

    static JsonObject subscribe(TestKiln node, long project, JsonObject body) throws Exception {
        var response = node.admin("POST", "/projects/" + project + "/notifications", body);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.data();
    }

    static Receiver.Received find(Receiver receiver, String path, String event) {
        return receiver.received().stream()
                .filter(request -> request.path().equals(path) && event.equals(request.headers().get("X-Kiln-Event")))
                .findFirst().orElse(null);
    }

    static Receiver.Received awaitRequest(Supplier<Receiver.Received> found) throws Exception {
        return awaitValue(found::get);
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    /** Waits until the probe gives a value; fails with a clear message after {@link #WAIT}. */
    static <T> T awaitValue(Probe<T> probe) throws Exception {
        return Eventually.value(WAIT, "a notification to arrive", probe::get);
    }

    static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
