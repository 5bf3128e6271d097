package dev.kiln.core.pipeline;

import java.nio.file.Path;

/**
 * How this node runs deployments.
 *
 * @param nodeId this node's id, stable across restarts
 * @param executors how many deployments it runs at once
 * @param dataDirectory where workspaces and caches live
 * @param leaseSeconds how long a claim holds without renewal
 */
public record PipelineConfig(String nodeId, int executors, Path dataDirectory, int leaseSeconds) {

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
    }
}
