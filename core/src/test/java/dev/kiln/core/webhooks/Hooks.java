package dev.kiln.core.webhooks;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Builds deliveries as GitHub, Gitea and GitLab send them (shapes from their webhook
 * documentation), signs them and posts them to a Kiln node.
 */
final class Hooks {

    static final String ZERO = "0".repeat(40);

    private final TestKiln kiln;

    Hooks(TestKiln kiln) {
        this.kiln = kiln;
    }

    /** Makes the project's webhook secret through the API. */
    String secret(long projectId) throws Exception {
        Response response = kiln.admin("POST", "/projects/" + projectId + "/webhook-secret", null);
        if (response.status() != 201) {
            throw new AssertionError(response.status() + " " + response.body());
        }
        return response.data().getString("secret");
    }

    Response github(long projectId, String secret, String event, String delivery, JsonObject body) throws Exception {
        byte[] raw = body.encode().getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("User-Agent", "GitHub-Hookshot/abc123");
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", delivery);
        headers.put("X-GitHub-Hook-ID", "42");
        if (secret != null) {
            headers.put("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(Delivery.hmac(secret, raw)));
        }
        return kiln.send("POST", "/hooks/" + projectId, headers, new String(raw, StandardCharsets.UTF_8));
    }

    Response github(long projectId, String secret, String event, JsonObject body) throws Exception {
        return github(projectId, secret, event, UUID.randomUUID().toString(), body);
    }

    Response gitea(long projectId, String secret, String event, JsonObject body) throws Exception {
        byte[] raw = body.encode().getBytes(StandardCharsets.UTF_8);
        return kiln.send("POST", "/hooks/" + projectId, Map.of("X-Gitea-Event", event,
                "X-Gitea-Delivery", UUID.randomUUID().toString(), "X-Gitea-Signature", HexFormat.of().formatHex(Delivery.hmac(secret, raw))),
                new String(raw, StandardCharsets.UTF_8));
    }

    Response gitlab(long projectId, String token, String event, JsonObject body) throws Exception {
        return kiln.send("POST", "/hooks/" + projectId, Map.of("X-Gitlab-Event", event,
                "X-Gitlab-Event-UUID", UUID.randomUUID().toString(), "X-Gitlab-Token", token), body.encode());
    }

    /** GitHub's (and Gitea's) push event. */
    static JsonObject push(String branch, String before, String after, String message) {
        boolean deleted = ZERO.equals(after);
        JsonObject commit = new JsonObject().put("id", after).put("tree_id", "a".repeat(40)).put("distinct", true)
                .put("message", message).put("timestamp", "2026-02-18T15:30:00+00:00")
                .put("author", new JsonObject().put("name", "Ada Lovelace").put("email", "ada@example.com").put("username", "ada"))
                .put("added", new JsonArray()).put("removed", new JsonArray()).put("modified", new JsonArray().add("index.html"));
        return new JsonObject()
                .put("ref", "refs/heads/" + branch).put("before", before).put("after", after)
                .put("created", ZERO.equals(before)).put("deleted", deleted).put("forced", false)
                .put("base_ref", (String) null).put("compare", "https://github.com/acme/site/compare/x...y")
                .put("commits", deleted ? new JsonArray() : new JsonArray().add(commit))
                .put("head_commit", deleted ? null : commit)
                .put("repository", repository())
                .put("pusher", new JsonObject().put("name", "ada").put("email", "ada@example.com"))
                .put("sender", new JsonObject().put("login", "ada").put("id", 1));
    }

    /** GitHub's pull_request event; {@code fromFork} puts the head in another repository. */
    static JsonObject pullRequest(String action, String branch, String sha, boolean fromFork) {
        JsonObject head = new JsonObject().put("label", "acme:" + branch).put("ref", branch).put("sha", sha)
                .put("repo", fromFork ? repository().put("full_name", "mallory/site").put("fork", true) : repository());
        JsonObject base = new JsonObject().put("label", "acme:main").put("ref", "main").put("sha", "b".repeat(40)).put("repo", repository());
        return new JsonObject().put("action", action).put("number", 7)
                .put("pull_request", new JsonObject().put("number", 7).put("state", "closed".equals(action) ? "closed" : "open")
                        .put("title", "A change").put("head", head).put("base", base).put("merged", false))
                .put("repository", repository())
                .put("sender", new JsonObject().put("login", "ada").put("id", 1));
    }

    /** GitLab's push hook. */
    static JsonObject gitlabPush(String branch, String before, String after, String message) {
        return new JsonObject().put("object_kind", "push").put("event_name", "push").put("before", before).put("after", after)
                .put("ref", "refs/heads/" + branch).put("ref_protected", true).put("checkout_sha", ZERO.equals(after) ? null : after)
                .put("user_name", "Ada Lovelace").put("project_id", 15)
                .put("project", new JsonObject().put("id", 15).put("name", "site").put("path_with_namespace", "acme/site")
                        .put("default_branch", "main"))
                .put("commits", new JsonArray().add(new JsonObject().put("id", after).put("message", message)
                        .put("title", message).put("author", new JsonObject().put("name", "Ada Lovelace").put("email", "ada@example.com"))))
                .put("total_commits_count", 1);
    }

    /** GitLab's merge request hook. */
    static JsonObject gitlabMergeRequest(String action, String branch, String sha, String oldrev, int sourceProject) {
        JsonObject attributes = new JsonObject().put("id", 99).put("iid", 1).put("target_branch", "main").put("source_branch", branch)
                .put("source_project_id", sourceProject).put("target_project_id", 15).put("state", "opened").put("action", action)
                .put("last_commit", new JsonObject().put("id", sha).put("message", "a change").put("title", "a change"));
        if (oldrev != null) {
            attributes.put("oldrev", oldrev);
        }
        return new JsonObject().put("object_kind", "merge_request").put("event_type", "merge_request")
                .put("project", new JsonObject().put("id", 15).put("path_with_namespace", "acme/site"))
                .put("object_attributes", attributes);
    }

    private static JsonObject repository() {
        return new JsonObject().put("id", 1296269).put("name", "site").put("full_name", "acme/site").put("private", false)
                .put("clone_url", "https://github.com/acme/site.git").put("default_branch", "main");
    }
}
