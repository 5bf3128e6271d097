package dev.kiln.plugin.api;

/**
 * The size of a stored deployment.
 *
 * @param files the number of files stored
 * @param bytes their total size
 */
public record StoredArtifact(long files, long bytes) {

    /**
     * Validates the counts.
     *
     * @param files not negative
     * @param bytes not negative
     */
    public StoredArtifact {
        if (files < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative artifact size");
        }
    }
}
