package dev.kiln.core.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One delivery's headers, as each platform names them: which platform sent it, which event, its
 * id, and the credential to check.
 *
 * @param provider the platform
 * @param event the event name, as the platform sends it
 * @param deliveryId the platform's id of this delivery, or null when it sends none
 * @param credential the signature (GitHub, Gitea) or token (GitLab) header, or null when missing
 */
public record Delivery(Provider provider, String event, String deliveryId, String credential) {

    /** The platforms Kiln understands. */
    public enum Provider {
        /** GitHub and GitHub Enterprise. */
        GITHUB,
        /** Gitea and Forgejo. */
        GITEA,
        /** GitLab. */
        GITLAB
    }

    /**
     * Reads the headers of a delivery.
     *
     * @param header a request header by name, or null
     * @return the delivery, or empty when no platform's event header is there
     */
    public static Optional<Delivery> of(Function<String, String> header) {
        if (header.apply("X-GitHub-Event") != null) {
            return Optional.of(new Delivery(Provider.GITHUB, header.apply("X-GitHub-Event"), header.apply("X-GitHub-Delivery"),
                    header.apply("X-Hub-Signature-256")));
        }
        String gitea = first(header.apply("X-Gitea-Event"), header.apply("X-Forgejo-Event"), header.apply("X-Gogs-Event"));
        if (gitea != null) {
            return Optional.of(new Delivery(Provider.GITEA, gitea,
                    first(header.apply("X-Gitea-Delivery"), header.apply("X-Forgejo-Delivery"), header.apply("X-Gogs-Delivery")),
                    first(header.apply("X-Gitea-Signature"), header.apply("X-Forgejo-Signature"), header.apply("X-Gogs-Signature"))));
        }
        if (header.apply("X-Gitlab-Event") != null) {
            return Optional.of(new Delivery(Provider.GITLAB, header.apply("X-Gitlab-Event"),
                    first(header.apply("X-Gitlab-Event-UUID"), header.apply("X-Gitlab-Webhook-UUID"), null),
                    header.apply("X-Gitlab-Token")));
        }
        return Optional.empty();
    }

    /**
     * Whether the delivery carries the project's secret: an HMAC-SHA256 of the raw body (GitHub,
     * Gitea) or the secret itself (GitLab), compared in constant time.
     *
     * @param secret the project's webhook secret
     * @param body the raw body, exactly as received
     * @return true when it does
     */
    public boolean authentic(String secret, byte[] body) {
        if (credential == null || secret == null) {
            return false;
        }
        byte[] expected;
        byte[] presented;
        if (provider == Provider.GITLAB) {
            expected = secret.getBytes(StandardCharsets.UTF_8);
            presented = credential.getBytes(StandardCharsets.UTF_8);
        } else {
            String hex = credential.trim().toLowerCase(Locale.ROOT);
            if (provider == Provider.GITHUB) {
                if (!hex.startsWith("sha256=")) {
                    return false;
                }
                hex = hex.substring("sha256=".length());
            }
            expected = HexFormat.of().formatHex(hmac(secret, body)).getBytes(StandardCharsets.US_ASCII);
            presented = hex.getBytes(StandardCharsets.US_ASCII);
        }
        return MessageDigest.isEqual(expected, presented);
    }

    /**
     * HMAC-SHA256 of a body with a secret.
     *
     * @param secret the key
     * @param body the data
     * @return the 32 byte digest
     */
    public static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static String first(String a, String b, String c) {
        return a != null ? a : b != null ? b : c;
    }
}
