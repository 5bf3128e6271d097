package dev.kiln.core.git;

import java.time.Instant;
import java.util.Objects;

/**
 * One commit as Kiln shows it.
 *
 * @param sha the full 40 hex digit commit id
 * @param message the commit's short message: its first paragraph on one line, as {@code git log --oneline} shows it
 * @param author the author's name, without the email address
 * @param committedAt when it was committed (the committer's time)
 */
public record CommitInfo(String sha, String message, String author, Instant committedAt) {

    public CommitInfo {
        Objects.requireNonNull(sha, "sha");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(committedAt, "committedAt");
    }
}
