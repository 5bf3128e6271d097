package dev.kiln.core.git;

import java.util.Objects;

/**
 * A Git operation failed. The message is a sentence for the user and never contains credentials from the
 * repository URL; {@link #kind()} says whose fault it is.
 */
public final class GitException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Kind {
        /** The remote answered but has no such branch, or the branch name is not valid. */
        UNKNOWN_BRANCH,
        /** The remote could not be reached, is not a repository, refused the credentials or timed out. */
        UNREACHABLE,
        /** The repository URL is malformed or of a kind Kiln does not accept. */
        INVALID_URL,
        /** The commit does not exist in the repository (or is not a full commit id). */
        UNKNOWN_COMMIT,
        /** A local disk or repository problem on this node. */
        IO
    }

    private final Kind kind;

    /**
     * A failure.
     *
     * @param kind why it failed
     * @param message a sentence for the user, free of credentials
     * @param cause the underlying error, or null
     */
    public GitException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /**
     * Why it failed.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }
}
