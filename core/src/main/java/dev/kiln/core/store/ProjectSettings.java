package dev.kiln.core.store;

import java.util.Map;
import java.util.Objects;

/**
 * What a user sets on a project, already validated at the API edge.
 *
 * @param name unique display name
 * @param repoUrl the Git repository
 * @param defaultBranch the branch deployed when a trigger names none
 * @param builder a builder id, or null to detect
 * @param installCommand overrides the builder's install step, or null
 * @param buildCommand overrides the builder's build step, or null
 * @param outputDirectory overrides the builder's output directory, or null
 * @param rootDirectory where the project lives inside the repository, or null for the root
 * @param builderOptions builder specific options
 * @param env build environment variables
 * @param storage the storage target id
 * @param buildTimeoutSeconds the build's time limit
 * @param isSpa whether paths without a file get {@code /index.html}; null to follow the detected framework
 * @param nodeVersion the Node.js version or range the builds ask for, or null to let the repository say
 */
public record ProjectSettings(
        String name,
        String repoUrl,
        String defaultBranch,
        String builder,
        String installCommand,
        String buildCommand,
        String outputDirectory,
        String rootDirectory,
        Map<String, String> builderOptions,
        Map<String, String> env,
        String storage,
        int buildTimeoutSeconds,
        Boolean isSpa,
        String nodeVersion) {

    /** The time limit when a project sets none. */
    public static final int DEFAULT_BUILD_TIMEOUT_SECONDS = 1200;

    /**
     * Checks the invariants the database relies on.
     */
    public ProjectSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(repoUrl, "repoUrl");
        Objects.requireNonNull(defaultBranch, "defaultBranch");
        Objects.requireNonNull(storage, "storage");
        builderOptions = Map.copyOf(builderOptions);
        env = Map.copyOf(env);
        if (buildTimeoutSeconds < 1) {
            throw new IllegalArgumentException("buildTimeoutSeconds must be positive");
        }
    }

    /**
     * Settings whose {@code is_spa} follows the detected framework and whose Node version the repository chooses.
     *
     * @param name unique display name
     * @param repoUrl the Git repository
     * @param defaultBranch the production branch
     * @param builder a builder id, or null to detect
     * @param installCommand overrides the builder's install step, or null
     * @param buildCommand overrides the builder's build step, or null
     * @param outputDirectory overrides the builder's output directory, or null
     * @param rootDirectory where the project lives inside the repository, or null for the root
     * @param builderOptions builder specific options
     * @param env build environment variables
     * @param storage the storage target id
     * @param buildTimeoutSeconds the build's time limit
     */
    public ProjectSettings(String name, String repoUrl, String defaultBranch, String builder, String installCommand,
                           String buildCommand, String outputDirectory, String rootDirectory, Map<String, String> builderOptions,
                           Map<String, String> env, String storage, int buildTimeoutSeconds) {
        this(name, repoUrl, defaultBranch, builder, installCommand, buildCommand, outputDirectory, rootDirectory, builderOptions,
                env, storage, buildTimeoutSeconds, null, null);
    }

    /**
     * These settings with another default branch.
     *
     * @param branch the branch
     * @return a copy
     */
    public ProjectSettings withDefaultBranch(String branch) {
        return new ProjectSettings(name, repoUrl, branch, builder, installCommand, buildCommand, outputDirectory, rootDirectory,
                builderOptions, env, storage, buildTimeoutSeconds, isSpa, nodeVersion);
    }
}
