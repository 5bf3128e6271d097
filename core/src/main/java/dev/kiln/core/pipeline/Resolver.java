package dev.kiln.core.pipeline;

import java.nio.file.Path;
import java.util.UUID;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.FileTrees;
import dev.kiln.core.KilnException;
import dev.kiln.core.ProjectKeys;
import dev.kiln.core.git.CommitInfo;
import dev.kiln.core.git.GitException;
import dev.kiln.core.git.GitMirrors;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.Project;

/**
 * Resolves what a new deployment builds: the commit, and the builder, detected here once so the
 * queue can send the build to a node with that builder's tools and the runner need not detect again.
 * Blocking: call from a worker.
 */
final class Resolver {

    private final GitMirrors git;
    private final PluginHost plugins;
    private final Path scratchDirectory;

    Resolver(GitMirrors git, PluginHost plugins, Path scratchDirectory) {
        this.git = git;
        this.plugins = plugins;
        this.scratchDirectory = scratchDirectory;
    }

    /**
     * The commit to build, the builder to build it with (null: none fits, the runner says why), the
     * framework found, and the tree exported to detect it (null when nothing was exported), which
     * the caller keeps for the runner or deletes, and the detection's explanation for the
     * deployment's log (which builders were asked, what each answered, why the winner won).
     */
    record Resolved(CommitInfo commit, String builder, String framework, Path tree, java.util.List<String> explanation) {

        Resolved {
            explanation = java.util.List.copyOf(explanation);
        }
    }

    Resolved resolve(Project project, String branch, String sha) {
        String mirror = ProjectKeys.of(project.id());
        String repoUrl = project.settings().repoUrl();
        try {
            CommitInfo commit = sha == null ? git.fetchBranch(mirror, repoUrl, branch) : git.commit(mirror, repoUrl, branch, sha);
            String configured = project.settings().builder();
            if (configured != null) {
                // A builder that is installed (so on every node) but whose tools some nodes lack waits
                // for a capable node; one that is not installed or is disabled fails at once with why,
                // so the job is left open to any node.
                return new Resolved(commit, plugins.builder(configured).isPresent() ? configured : null, null, null, java.util.List.of());
            }
            Path scratch = scratchDirectory.resolve("detect-" + UUID.randomUUID());
            boolean kept = false;
            try {
                git.export(mirror, repoUrl, branch, commit.sha(), scratch);
                String root = project.settings().rootDirectory();
                Path source = root == null ? scratch : scratch.resolve(root).normalize();
                java.util.List<String> explanation = new java.util.ArrayList<>();
                Resolved resolved = BuilderDetection.detect(plugins, source, warning -> explanation.add("[kiln] warning: " + warning),
                                line -> explanation.add("[kiln] " + line))
                        .map(found -> new Resolved(commit, found.builderId(), found.detection().framework(), scratch, explanation))
                        .orElse(new Resolved(commit, null, null, scratch, explanation));
                kept = true;
                return resolved;
            } catch (InterruptedException e) {
                throw DeploymentService.interrupted();
            } finally {
                if (!kept) {
                    FileTrees.delete(scratch);
                }
            }
        } catch (GitException e) {
            throw apiError(e);
        }
    }

    static KilnException apiError(GitException e) {
        return switch (e.kind()) {
            case UNKNOWN_BRANCH -> KilnException.invalid("branch", e.getMessage());
            case UNKNOWN_COMMIT -> KilnException.invalid("commit", e.getMessage());
            case INVALID_URL -> KilnException.invalid("repo_url", e.getMessage());
            case IO -> new KilnException(ErrorCode.INTERNAL_ERROR, "could not update the local mirror: " + e.getMessage());
            default -> new KilnException(ErrorCode.UPSTREAM_ERROR, e.getMessage());
        };
    }
}
