package dev.kiln.core.github;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

import dev.kiln.core.store.StatusStore.Creator;
import dev.kiln.core.store.StatusStore.Status;
import io.vertx.core.json.JsonObject;

/**
 * GitHub's JSON shapes: the deployment status and its {@code creator}, a GitHub user built from
 * the token that wrote the status, with URLs that point at Kiln.
 */
final class StatusViews {

    /** The login Kiln's own statuses show, as GitHub shows an app's bot user. */
    static final String KILN_LOGIN = "kiln[bot]";

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
    private static final int MAX_LOGIN = 39;

    private final String baseUrl;

    /**
     * @param baseUrl Kiln's public base URL, without a trailing slash
     */
    StatusViews(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    JsonObject status(Status status, Target target) {
        return new JsonObject()
                .put("url", target.statusUrl(status.id()))
                .put("id", status.id())
                .put("node_id", nodeId("DeploymentStatus", status.id()))
                .put("state", status.state())
                .put("creator", creator(status.creator()))
                .put("description", status.description())
                .put("environment", status.environment())
                .put("target_url", status.targetUrl())
                .put("created_at", timestamp(status.createdAt()))
                .put("updated_at", timestamp(status.updatedAt()))
                .put("deployment_url", target.deploymentUrl())
                .put("repository_url", target.repositoryUrl())
                .put("environment_url", status.environmentUrl())
                .put("log_url", status.logUrl());
    }

    /** A user object with every field GitHub's {@code simple-user} requires. */
    JsonObject creator(Creator creator) {
        boolean kiln = creator.isKiln();
        long id = kiln ? 0 : creator.tokenId();
        String login = kiln ? KILN_LOGIN : login(creator.name(), id);
        String type = kiln ? "Bot" : "User";
        String user = baseUrl + "/api/v3/users/" + pathSegment(login);
        return new JsonObject()
                .put("login", login)
                .put("id", id)
                .put("node_id", nodeId(type, id))
                .put("avatar_url", baseUrl + "/avatars/u/" + id)
                .put("gravatar_id", "")
                .put("url", user)
                .put("html_url", baseUrl + "/" + pathSegment(login))
                .put("followers_url", user + "/followers")
                .put("following_url", user + "/following{/other_user}")
                .put("gists_url", user + "/gists{/gist_id}")
                .put("starred_url", user + "/starred{/owner}{/repo}")
                .put("subscriptions_url", user + "/subscriptions")
                .put("organizations_url", user + "/orgs")
                .put("repos_url", user + "/repos")
                .put("events_url", user + "/events{/privacy}")
                .put("received_events_url", user + "/received_events")
                .put("type", type)
                .put("user_view_type", "public")
                .put("site_admin", false);
    }

    /**
     * A GitHub login from a token's name: letters, digits and single hyphens, at most 39
     * characters, as GitHub allows; {@code token-<id>} when nothing is left.
     */
    static String login(String name, long tokenId) {
        String login = name.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (login.length() > MAX_LOGIN) {
            login = login.substring(0, MAX_LOGIN).replaceAll("-+$", "");
        }
        return login.isEmpty() ? "token-" + tokenId : login;
    }

    /** GitHub's legacy global node id: base64 of {@code 0<length of type>:<type><id>}. */
    static String nodeId(String type, long id) {
        String raw = "0" + type.length() + ":" + type + id;
        return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static String timestamp(OffsetDateTime time) {
        return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC).format(TIMESTAMP);
    }

    /** Percent-encodes one path segment: everything but RFC 3986's unreserved characters. */
    static String pathSegment(String segment) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }
}
