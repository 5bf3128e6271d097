package dev.kiln.core.webhooks;

import java.util.Objects;

/**
 * What a delivery from a source platform asks of Kiln, whatever platform sent it.
 *
 * @param kind what happened
 * @param branch the branch it concerns, or null
 * @param sha the commit to deploy, or null
 * @param message the head commit's message when the payload carries it, or null
 * @param reason why nothing is to be done, for {@link Kind#IGNORED} and {@link Kind#PING}
 */
public record SourceEvent(Kind kind, String branch, String sha, String message, String reason) {

    /** What happened. */
    public enum Kind {
        /** Commits were pushed to a branch, or a request from a branch of the same repository was opened or updated. */
        DEPLOY,
        /** A branch was deleted, or its request closed: its preview goes. */
        REMOVE_PREVIEW,
        /** The platform checks the hook works. */
        PING,
        /** Anything else: a tag, a fork's request, an event Kiln does not act on. */
        IGNORED
    }

    /**
     * Checks that each kind has what it needs.
     */
    public SourceEvent {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.DEPLOY && (branch == null || sha == null)) {
            throw new IllegalArgumentException("a deploy needs a branch and a commit");
        }
        if (kind == Kind.REMOVE_PREVIEW && branch == null) {
            throw new IllegalArgumentException("removing a preview needs a branch");
        }
    }

    static SourceEvent deploy(String branch, String sha, String message) {
        return new SourceEvent(Kind.DEPLOY, branch, sha, message, null);
    }

    static SourceEvent removePreview(String branch, String reason) {
        return new SourceEvent(Kind.REMOVE_PREVIEW, branch, null, null, reason);
    }

    static SourceEvent ignored(String reason) {
        return new SourceEvent(Kind.IGNORED, null, null, null, reason);
    }
}
