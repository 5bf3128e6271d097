package dev.kiln.core.webhooks;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import dev.kiln.core.webhooks.Delivery.Provider;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads the push and pull (merge) request payloads of GitHub, Gitea/Forgejo and GitLab, in the
 * shapes their documentation gives, into {@link SourceEvent}s.
 */
public final class Payloads {

    private static final String HEADS = "refs/heads/";
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final String ZERO = "0".repeat(40);
    private static final Set<String> OPENED = Set.of("opened", "reopened", "synchronize", "synchronized", "open", "reopen");

    private Payloads() {
    }

    /** The body is JSON but not the event's: a field is missing or of the wrong type. */
    public static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * What a delivery asks for.
     *
     * @param delivery the headers
     * @param body the parsed body
     * @return the event
     * @throws Malformed when the body lacks what its event must have
     */
    public static SourceEvent read(Delivery delivery, JsonObject body) {
        return switch (delivery.provider()) {
            case GITHUB, GITEA -> githubOrGitea(delivery.provider(), delivery.event(), body);
            case GITLAB -> gitlab(delivery.event(), body);
        };
    }

    private static SourceEvent githubOrGitea(Provider provider, String event, JsonObject body) {
        return switch (event) {
            case "ping" -> new SourceEvent(SourceEvent.Kind.PING, null, null, null, "ping: the webhook works");
            case "push" -> push(string(body, "ref"), body.getValue("after"), Boolean.TRUE.equals(body.getValue("deleted")),
                    headMessage(body));
            case "delete" -> "branch".equals(body.getValue("ref_type"))
                    ? SourceEvent.removePreview(string(body, "ref"), "branch deleted")
                    : SourceEvent.ignored("a " + body.getValue("ref_type") + " was deleted");
            case "pull_request" -> pullRequest(provider, body);
            default -> SourceEvent.ignored("event '" + event + "' is not one Kiln deploys on");
        };
    }

    private static SourceEvent push(String ref, Object after, boolean deleted, String message) {
        if (!ref.startsWith(HEADS)) {
            return SourceEvent.ignored("push to " + ref + " is not a branch");
        }
        String branch = ref.substring(HEADS.length());
        if (deleted || ZERO.equals(after)) {
            return SourceEvent.removePreview(branch, "branch deleted");
        }
        return SourceEvent.deploy(branch, sha(after, "after"), message);
    }

    private static String headMessage(JsonObject body) {
        Object head = body.getValue("head_commit");
        if (head instanceof JsonObject commit && commit.getValue("message") instanceof String message) {
            return message;
        }
        // Gitea before 1.16 sends no head_commit; the commit named "after" is among "commits".
        return commitMessage(body.getValue("commits"), body.getValue("after"));
    }

    private static String commitMessage(Object commits, Object sha) {
        if (commits instanceof JsonArray list) {
            for (Object item : list) {
                if (item instanceof JsonObject commit && Objects.equals(commit.getValue("id"), sha)
                        && commit.getValue("message") instanceof String message) {
                    return message;
                }
            }
        }
        return null;
    }

    private static SourceEvent pullRequest(Provider provider, JsonObject body) {
        String action = string(body, "action");
        JsonObject request = object(body, "pull_request");
        JsonObject head = object(request, "head");
        String branch = string(head, "ref");
        if (!sameRepository(head.getValue("repo"), object(request, "base").getValue("repo"))) {
            return SourceEvent.ignored("pull request from a fork");
        }
        if (OPENED.contains(action)) {
            return SourceEvent.deploy(branch, sha(head.getValue("sha"), "pull_request.head.sha"), null);
        }
        if ("closed".equals(action)) {
            return SourceEvent.removePreview(branch, "pull request closed");
        }
        return SourceEvent.ignored("pull request " + action + (provider == Provider.GITEA ? " (Gitea)" : "") + ": nothing to deploy");
    }

    private static boolean sameRepository(Object head, Object base) {
        // A fork's repository may be gone (null): that is a fork too.
        return head instanceof JsonObject headRepo && base instanceof JsonObject baseRepo
                && headRepo.getValue("full_name") != null && headRepo.getValue("full_name").equals(baseRepo.getValue("full_name"));
    }

    private static SourceEvent gitlab(String event, JsonObject body) {
        return switch (event) {
            case "Push Hook" -> push(string(body, "ref"), body.getValue("after"), false,
                    commitMessage(body.getValue("commits"), body.getValue("after")));
            case "Merge Request Hook" -> mergeRequest(body);
            default -> SourceEvent.ignored("event '" + event + "' is not one Kiln deploys on");
        };
    }

    private static SourceEvent mergeRequest(JsonObject body) {
        JsonObject attributes = object(body, "object_attributes");
        Object source = attributes.getValue("source_project_id");
        if (source == null || !source.equals(attributes.getValue("target_project_id"))) {
            return SourceEvent.ignored("merge request from a fork");
        }
        String action = String.valueOf(attributes.getValue("action"));
        String branch = string(attributes, "source_branch");
        if ("close".equals(action) || "merge".equals(action)) {
            return SourceEvent.removePreview(branch, "merge request " + ("merge".equals(action) ? "merged" : "closed"));
        }
        // An update without "oldrev" changed the title or labels, not the commits.
        if (OPENED.contains(action) || "update".equals(action) && attributes.getValue("oldrev") != null) {
            JsonObject last = object(attributes, "last_commit");
            return SourceEvent.deploy(branch, sha(last.getValue("id"), "object_attributes.last_commit.id"),
                    last.getValue("message") instanceof String message ? message : null);
        }
        return SourceEvent.ignored("merge request " + action + ": nothing to deploy");
    }

    private static String string(JsonObject body, String field) {
        if (body.getValue(field) instanceof String text && !text.isEmpty()) {
            return text;
        }
        throw new Malformed("the payload has no '" + field + "' string");
    }

    private static JsonObject object(JsonObject body, String field) {
        if (body.getValue(field) instanceof JsonObject object) {
            return object;
        }
        throw new Malformed("the payload has no '" + field + "' object");
    }

    private static String sha(Object value, String field) {
        if (value instanceof String sha && SHA.matcher(sha).matches()) {
            return sha;
        }
        throw new Malformed("'" + field + "' is not a 40 digit commit id");
    }
}
