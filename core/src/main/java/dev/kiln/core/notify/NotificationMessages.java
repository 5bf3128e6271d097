package dev.kiln.core.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.store.NotificationStore.Delivery;
import io.vertx.core.json.JsonObject;

/** The bodies Kiln posts for deployment events, and their signature. */
final class NotificationMessages {

    private NotificationMessages() {
    }

    /**
     * The body for a delivery in the subscription's format.
     *
     * @param delivery the delivery
     * @param format {@code json} or {@code slack}
     * @param urls where sites and logs are
     * @return the JSON text
     */
    static String body(Delivery delivery, String format, PublicUrls urls) {
        JsonObject snapshot = delivery.snapshot();
        JsonObject project = snapshot.getJsonObject("project", new JsonObject()).copy();
        JsonObject deployment = snapshot.getJsonObject("deployment", new JsonObject()).copy();
        String slug = project.getString("slug", "");
        long deploymentId = delivery.deploymentId();
        deployment.put("deployment_url", urls.deploymentUrl(slug, deploymentId));
        deployment.put("logs_url", urls.logsUrl(project.getLong("id", 0L), deploymentId));
        project.put("production_url", urls.productionUrl(slug));
        if ("slack".equals(format)) {
            return new JsonObject().put("text", slackText(delivery.event(), project, deployment)).encode();
        }
        return new JsonObject()
                .put("event", delivery.event())
                .put("delivery_id", delivery.id())
                .put("occurred_at", snapshot.getString("occurred_at"))
                .put("project", project)
                .put("deployment", deployment)
                .encode();
    }

    private static String slackText(String event, JsonObject project, JsonObject deployment) {
        String what = switch (event) {
            case "deployment.started" -> "started";
            case "deployment.succeeded" -> "is live at " + deployment.getString("deployment_url");
            case "deployment.failed" -> "failed";
            case "deployment.cancelled" -> "was cancelled";
            case "deployment.promoted" -> "now serves production at " + project.getString("production_url");
            default -> event;
        };
        String sha = deployment.getString("commit_sha", "");
        StringBuilder text = new StringBuilder()
                .append(project.getString("name", "?")).append(": deployment #").append(deployment.getValue("id"))
                .append(" (").append(deployment.getString("branch", "?")).append(' ')
                .append(sha.length() > 7 ? sha.substring(0, 7) : sha).append(") ").append(what);
        String error = deployment.getString("error_message");
        if (error != null && !error.isBlank() && ("deployment.failed".equals(event) || "deployment.cancelled".equals(event))) {
            text.append(": ").append(error.length() > 300 ? error.substring(0, 300) + "…" : error);
        }
        return text.toString();
    }

    /**
     * The {@code X-Kiln-Signature-256} value of a body.
     *
     * @param secret the subscription's secret
     * @param body the exact bytes sent
     * @return {@code sha256=<hex HMAC-SHA256>}
     */
    static String signature(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
