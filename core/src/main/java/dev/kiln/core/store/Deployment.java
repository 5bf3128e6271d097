package dev.kiln.core.store;

import java.time.OffsetDateTime;

/**
 * A deployment as stored.
 *
 * @param id the id
 * @param projectId its project
 * @param commitSha the commit built
 * @param commitMessage the commit's first line
 * @param commitAuthor the commit's author name
 * @param branch the branch it was triggered from
 * @param environment {@code production} or {@code preview}
 * @param status where it is in the pipeline
 * @param builder the builder that ran, or null before building
 * @param node the node that ran the last attempt, or null
 * @param attempt how many times a node started it
 * @param errorMessage why it failed, or null
 * @param storage the storage target holding its files
 * @param artifactKey the key of its files in the storage target, or null before upload
 * @param pruned whether its files were deleted to save space
 * @param buildTimeMs milliseconds from start of work to deployed, or null
 * @param createdAt when triggered
 * @param startedAt when a node started work, or null
 * @param deployedAt when it reached deployed, or null
 * @param finishedAt when it reached a final state, or null
 * @param waitReason why it is still queued, or null
 * @param warnings problems that did not stop it (for example no index.html in its files)
 * @param trigger what started it: {@code api}, {@code webhook} or {@code poll}
 * @param previewRemoved whether its branch's preview was removed (branch deleted, pull request closed)
 */
public record Deployment(
        long id,
        long projectId,
        String commitSha,
        String commitMessage,
        String commitAuthor,
        String branch,
        String environment,
        DeploymentStatus status,
        String builder,
        String node,
        int attempt,
        String errorMessage,
        String storage,
        String artifactKey,
        boolean pruned,
        Long buildTimeMs,
        OffsetDateTime createdAt,
        OffsetDateTime startedAt,
        OffsetDateTime deployedAt,
        OffsetDateTime finishedAt,
        String waitReason,
        java.util.List<String> warnings,
        String trigger,
        boolean previewRemoved) {

    /**
     * Copies the warnings.
     */
    public Deployment {
        warnings = java.util.List.copyOf(warnings);
    }
}
