package dev.kiln.core.pipeline;

import java.nio.file.Path;

/**
 * How this node runs deployments.
 *
 * @param nodeId this node's id, stable across restarts
 * @param executors how many deployments it runs at once
 * @param dataDirectory where workspaces and caches live
 * @param leaseSeconds how long a claim holds without renewal
 * @param builderGraceSeconds how long past a project's build timeout a builder's Java code may take
 *                            before the deployment fails anyway (its processes are stopped at the timeout)
 * @param keepArtifacts how many of a project's newest deployed deployments keep their files, besides the active one
 * @param cacheMaxBytes the most this node's build caches may hold ({@code builds.cache_max_bytes}); 0 for no limit
 */
public record PipelineConfig(String nodeId, int executors, Path dataDirectory, int leaseSeconds, int builderGraceSeconds,
                             int keepArtifacts, long cacheMaxBytes) {

    /** The default of {@code artifacts.keep}. */
    public static final int DEFAULT_KEEP_ARTIFACTS = 10;
    /** The default of {@code builds.grace_seconds}. */
    public static final int DEFAULT_BUILDER_GRACE_SECONDS = 30;
    /** The default of {@code builds.cache_max_bytes}: 10 GiB. */
    public static final long DEFAULT_CACHE_MAX_BYTES = 10L << 30;

    /**
     * The usual config.
     *
     * @param nodeId this node's id
     * @param executors how many deployments it runs at once
     * @param dataDirectory where workspaces and caches live
     * @param leaseSeconds how long a claim holds without renewal
     */
    public PipelineConfig(String nodeId, int executors, Path dataDirectory, int leaseSeconds) {
        this(nodeId, executors, dataDirectory, leaseSeconds, DEFAULT_BUILDER_GRACE_SECONDS, DEFAULT_KEEP_ARTIFACTS, DEFAULT_CACHE_MAX_BYTES);
    }

    /**
     * Validates the config.
     */
    public PipelineConfig {
        if (executors < 1) {
            throw new IllegalArgumentException("executors must be at least 1");
        }
        if (leaseSeconds < 3) {
            throw new IllegalArgumentException("leaseSeconds must be at least 3");
        }
        if (builderGraceSeconds < 0) {
            throw new IllegalArgumentException("builderGraceSeconds must not be negative");
        }
        if (cacheMaxBytes < 0) {
            throw new IllegalArgumentException("cacheMaxBytes must not be negative");
        }
        if (keepArtifacts < 1) {
            throw new IllegalArgumentException("keepArtifacts must be at least 1");
        }
    }
}
