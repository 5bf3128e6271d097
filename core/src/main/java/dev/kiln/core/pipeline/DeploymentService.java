package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.EventBusAddresses;
import dev.kiln.core.ErrorCode;
import dev.kiln.core.FileTrees;
import dev.kiln.core.KilnException;
import dev.kiln.core.ProjectKeys;
import dev.kiln.core.git.CommitInfo;
import dev.kiln.core.git.GitException;
import dev.kiln.core.github.PipelineStatuses;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.ActiveDeployments;
import dev.kiln.core.store.ActiveDeployments.Activation;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.StoredArtifactRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Everything that starts, stops or changes deployments: the API, the webhooks, the poller (and
 * through the API the CLI and the dashboard) all come here, so each rule holds whoever asks.
 */
public final class DeploymentService {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentService.class);
    /** Creating a project waits this long at most for the remote to name its default branch. */
    private static final java.time.Duration DEFAULT_BRANCH_LOOKUP = java.time.Duration.ofSeconds(10);

    /** What started a deployment. */
    public enum Trigger {
        /** An explicit request through the API (or the CLI): it lets go of a pinned production. */
        API,
        /** A signed delivery from the source platform. */
        WEBHOOK,
        /** The poller found a new commit. */
        POLL;

        /**
         * The name in the API.
         *
         * @return for example {@code webhook}
         */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What a push asked for: a deployment, a removed preview, or nothing and why.
     *
     * @param deployment the new deployment, or null
     * @param ignored why nothing was done, or null
     * @param removedPreview the branch whose preview was removed, or null
     */
    public record Outcome(Deployment deployment, String ignored, String removedPreview) {

        /**
         * Nothing done.
         *
         * @param reason why
         * @return the outcome
         */
        public static Outcome ignored(String reason) {
            return new Outcome(null, reason, null);
        }
    }

    private final Vertx vertx;
    /** Drops this node's answers of which deployment each host serves (other nodes drop theirs when notified). */
    private final Runnable sitesChanged;
    private final PipelineServices services;
    private final Path scratchDirectory;
    private final Path cacheDirectory;
    private final Resolver resolver;
    private final TriggerExports exports;
    private final ActiveDeployments active;

    /**
     * The service.
     *
     * @param vertx the Vert.x instance
     * @param services stores, mirrors, plugins and URLs
     * @param active changes of the live deployment
     * @param dataDirectory the node's data directory (scratch space and build caches are under it)
     * @param sitesChanged drops this node's answers of which deployment each host serves, before a
     *                     promotion or rollback is answered (other nodes drop theirs when notified)
     */
    public DeploymentService(Vertx vertx, PipelineServices services, ActiveDeployments active, Path dataDirectory,
                             Runnable sitesChanged) {
        this.vertx = vertx;
        this.sitesChanged = sitesChanged;
        this.active = active;
        this.services = services;
        this.scratchDirectory = dataDirectory.resolve("tmp");
        this.cacheDirectory = dataDirectory.resolve("cache");
        this.resolver = new Resolver(services.git(), services.plugins(), scratchDirectory);
        this.exports = new TriggerExports(dataDirectory);
    }

    /**
     * An explicit deployment of a branch's newest commit; a deployment of the production branch
     * lets go of a pinned production.
     *
     * @param project the project
     * @param branch the branch
     * @return the queued deployment; fails with validation_error (unknown branch) or upstream_error
     */
    public Future<Deployment> trigger(Project project, String branch) {
        return vertx.executeBlocking(() -> resolver.resolve(project, branch, null), false)
                .compose(resolved -> create(project, branch, resolved, Trigger.API));
    }

    /**
     * Deploys exactly one commit a push named, as a preview unless the branch is the production
     * branch; a branch the project takes no previews of, or a commit asking to be skipped, creates nothing.
     *
     * @param project the project
     * @param branch the branch pushed
     * @param sha the commit pushed
     * @param message the commit's message as the source platform sent it, or null
     * @param trigger {@link Trigger#WEBHOOK} or {@link Trigger#POLL}
     * @return the outcome
     */
    public Future<Outcome> deployCommit(Project project, String branch, String sha, String message, Trigger trigger) {
        if (!Environments.isProduction(project, branch) && !Environments.previewWanted(project, branch)) {
            return Future.succeededFuture(Outcome.ignored("branch '" + branch + "' gets no previews (preview_branches)"));
        }
        if (DeploymentRules.skipRequested(message)) {
            return Future.succeededFuture(Outcome.ignored("commit " + sha + " asks to be skipped"));
        }
        // A push and its pull request's "synchronize" name the same commit: it is built once.
        return services.deployments().newestOfBranch(project.id(), branch).compose(newest -> {
            if (newest.isPresent() && newest.get().commitSha().equals(sha) && DeploymentRules.stillCounts(newest.get())) {
                return Future.succeededFuture(Outcome.ignored("commit " + sha + " is deployment " + newest.get().id() + " already"));
            }
            return vertx.executeBlocking(() -> resolver.resolve(project, branch, sha), false).compose(resolved -> {
                if (DeploymentRules.skipRequested(resolved.commit().message())) {
                    discard(resolved.tree());
                    return Future.succeededFuture(Outcome.ignored("commit " + sha + " asks to be skipped"));
                }
                return create(project, branch, resolved, trigger).map(deployment -> new Outcome(deployment, null, null));
            });
        });
    }

    private void discard(Path tree) {
        if (tree != null) {
            vertx.executeBlocking(() -> {
                FileTrees.delete(tree);
                return null;
            }, false);
        }
    }

    private Future<Deployment> create(Project project, String branch, Resolver.Resolved resolved, Trigger trigger) {
        CommitInfo commit = resolved.commit();
        boolean production = Environments.isProduction(project, branch);
        var created = new DeploymentStore.NewDeployment(branch, Environments.of(project, branch),
                new DeploymentStore.Commit(commit.sha(), commit.message(), commit.author()), resolved.builder(), trigger.wireName(),
                production && trigger == Trigger.API, resolved.explanation());
        return (resolved.framework() == null ? Future.<Void>succeededFuture()
                : services.projects().setDetectedFramework(project.id(), resolved.framework()))
                .compose(done -> services.deployments().create(project, created, PipelineStatuses.CREATED))
                // The detection's tree waits for the runner, so the commit is exported once.
                .compose(result -> resolved.tree() == null && result.superseded().isEmpty() ? Future.succeededFuture(result)
                        : vertx.executeBlocking(() -> {
                            if (resolved.tree() != null) {
                                exports.keep(resolved.tree(), result.deployment().id());
                            }
                            result.superseded().forEach(exports::discard);
                            return result;
                        }, false))
                .onFailure(error -> discard(resolved.tree()))
                .map(result -> {
                    services.metrics().deploymentCreated(result.deployment().builder());
                    services.metrics().logLines(resolved.explanation().size());
                    for (long superseded : result.superseded()) {
                        vertx.eventBus().publish(EventBusAddresses.CANCEL, superseded);
                        LiveLogs.publishEnd(vertx, superseded, "cancelled");
                        services.metrics().deploymentFinished("cancelled", null);
                    }
                    vertx.eventBus().publish(EventBusAddresses.WORK, null);
                    return result.deployment();
                });
    }

    /**
     * Cancels an in-progress deployment and stops its build wherever it runs.
     *
     * @param project the project
     * @param deploymentId the deployment
     * @return the cancelled deployment; fails with conflict when it already ended
     */
    public Future<Deployment> cancel(Project project, long deploymentId) {
        return services.deployments().cancel(project.id(), deploymentId, DeploymentRules::cancel,
                cancelled -> PipelineStatuses.cancelled(cancelled.environment())).map(cancelled -> {
            if (cancelled.runningOn() != null) {
                vertx.eventBus().publish(EventBusAddresses.CANCEL, deploymentId);
            } else {
                vertx.executeBlocking(() -> {
                    exports.discard(deploymentId);
                    return null;
                }, false);
            }
            LiveLogs.publishEnd(vertx, deploymentId, cancelled.deployment().status().wireName());
            services.metrics().deploymentFinished(cancelled.deployment().status().wireName(), cancelled.deployment().builder());
            return cancelled.deployment();
        });
    }

    /**
     * Makes an earlier production deployment active again at once, and pins production to it:
     * pushes still build but do not replace it until a promote or an explicit trigger.
     *
     * @param project the project
     * @param deploymentId the deployment
     * @return the deployment
     */
    public Future<Deployment> rollback(Project project, long deploymentId) {
        return active.activate(project.id(), deploymentId, DeploymentRules::rollback,
                activation(project, deploymentId, "Rolled back to this deployment", true)).map(this::sitesChanged);
    }

    /**
     * Makes a deployed production deployment active and lets go of a pinned production.
     *
     * @param project the project
     * @param deploymentId the deployment
     * @return the deployment
     */
    public Future<Deployment> promote(Project project, long deploymentId) {
        return active.activate(project.id(), deploymentId, DeploymentRules::promote,
                activation(project, deploymentId, "Promoted to production", false)).map(this::sitesChanged);
    }

    /** The node that committed a change serves it from its next request on, not from when it is notified. */
    private Deployment sitesChanged(Deployment activated) {
        sitesChanged.run();
        return activated;
    }

    private Activation activation(Project project, long deploymentId, String description, boolean pin) {
        String environmentUrl = services.urls().deploymentUrl(project.slug(), deploymentId);
        String logUrl = services.urls().logsUrl(project.id(), deploymentId);
        return new Activation(target -> PipelineStatuses.activated(description, target.environment(), environmentUrl, logUrl), pin);
    }

    /**
     * Removes a branch's preview (the branch was deleted, or its pull request closed).
     *
     * @param project the project
     * @param branch the branch
     * @param reason why, kept on what it cancels
     * @return done
     */
    public Future<Outcome> removePreview(Project project, String branch, String reason) {
        if (Environments.isProduction(project, branch)) {
            return Future.succeededFuture(Outcome.ignored("'" + branch + "' is the production branch; production keeps serving"));
        }
        return services.deployments().removePreview(project.id(), branch, reason, PipelineStatuses.PREVIEW_REMOVED).map(cancelled -> {
            cancelled.forEach(id -> {
                vertx.eventBus().publish(EventBusAddresses.CANCEL, id);
                LiveLogs.publishEnd(vertx, id, "cancelled");
                services.metrics().deploymentFinished("cancelled", null);
            });
            return new Outcome(null, null, branch);
        });
    }

    /**
     * The branch a remote's HEAD names, for a project created without {@code default_branch}.
     *
     * @param repoUrl the repository
     * @return the branch, or empty when the remote names none (an empty repository) or cannot be
     *     reached now (the project is still created; its first trigger reports the remote's problem)
     */
    public Future<java.util.Optional<String>> remoteDefaultBranch(String repoUrl) {
        return vertx.executeBlocking(() -> {
            try {
                return java.util.Optional.ofNullable(services.git().remoteHeads(repoUrl, DEFAULT_BRANCH_LOOKUP).defaultBranch());
            } catch (GitException e) {
                LOG.info("Could not ask {} for its default branch: {}", repoUrl.replaceAll("//[^/@]*@", "//"), e.getMessage());
                return java.util.Optional.<String>empty();
            }
        }, false);
    }

    /**
     * Why a token may not point a project at a repository URL: remotes on this machine or its
     * network are for admin tokens only, unless {@code git.allow_local} (a DNS lookup may block).
     *
     * @param repoUrl the new URL
     * @param admin whether the caller is an admin token
     * @return the reason, or empty when it may
     */
    public Future<java.util.Optional<String>> remoteRefusal(String repoUrl, boolean admin) {
        return vertx.executeBlocking(() -> services.git().refusal(repoUrl, admin), false);
    }

    /**
     * Deletes a project, unless a deployment is in progress, then its files, mirror and caches.
     *
     * @param project the project
     * @return done once the rows are gone; files go afterwards
     */
    public Future<Void> delete(Project project) {
        return services.projects().delete(project.id(), inProgress -> DeploymentRules.deleteProject(project.id(), inProgress)).map(artifacts -> {
            // Files and the mirror go after the rows: a failure here leaves garbage, never a
            // project whose deployments lost their files.
            vertx.executeBlocking(() -> {
                deleteArtifacts(artifacts);
                services.git().deleteMirror(ProjectKeys.of(project.id()));
                deleteCache(project.id());
                return null;
            }, false).onFailure(error -> LOG.warn("Cleaning up after project {} failed: {}", project.id(), error.getMessage()));
            return null;
        });
    }

    /**
     * Empties the project's build cache on this node; the next build starts cold.
     *
     * @param project the project
     * @return done
     */
    public Future<Void> clearCache(Project project) {
        return vertx.executeBlocking(() -> {
            deleteCache(project.id());
            return null;
        }, false);
    }

    private void deleteCache(long projectId) throws IOException {
        Path cache = cacheDirectory.resolve(ProjectKeys.of(projectId));
        if (!Files.exists(cache)) {
            return;
        }
        // Moved aside first, so a build starting now gets a fresh, empty cache rather than half of one.
        Path trash = cacheDirectory.resolve(".trash-" + projectId + "-" + UUID.randomUUID());
        Files.move(cache, trash, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.delete(trash);
    }

    private void deleteArtifacts(List<StoredArtifactRef> artifacts) {
        for (StoredArtifactRef artifact : artifacts) {
            services.plugins().storage(artifact.storage()).ifPresent(storage -> {
                try {
                    storage.delete(artifact.artifactKey());
                } catch (Exception e) {
                    LOG.warn("Could not delete artifact {} from '{}': {}", artifact.artifactKey(), artifact.storage(), e.getMessage());
                }
            });
        }
    }

    static KilnException interrupted() {
        Thread.currentThread().interrupt();
        return new KilnException(ErrorCode.UNAVAILABLE, "interrupted while detecting the builder");
    }
}
