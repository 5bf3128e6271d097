package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.FileTrees;
import dev.kiln.core.ProjectKeys;
import dev.kiln.core.cache.SharedCache;
import dev.kiln.core.git.ExportResult;
import dev.kiln.core.git.GitException;
import dev.kiln.core.git.GitMirrors;
import dev.kiln.core.git.RepoUrlRules;
import dev.kiln.core.github.PipelineStatuses;
import dev.kiln.core.metrics.KilnMetrics;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.sites.SiteCopies;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.DeploymentStatus;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.LogStore;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.StoredArtifactRef;
import dev.kiln.core.store.WorkQueue;
import dev.kiln.core.store.WorkQueue.Claim;
import dev.kiln.plugin.api.BuildCancelledException;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.Detection;
import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Runs one claimed deployment through clone, build, upload and deploy. State changes go through
 * the {@link WorkQueue}, fenced by the claim; blocking work runs on the pipeline's worker pool.
 */
final class DeploymentRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentRunner.class);
    /** Detection only reads files; a builder taking longer is treated as not fitting. */
    private static final Duration DETECT_TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final WorkerExecutor workers;
    private final PipelineConfig config;
    private final WorkQueue queue;
    private final DeploymentStore deployments;
    private final ProjectStore projects;
    private final LogStore logs;
    private final GitMirrors git;
    private final PluginHost plugins;
    private final PublicUrls urls;
    private final BuildPhase buildPhase;
    private final TriggerExports exports;
    private final KilnMetrics metrics;

    DeploymentRunner(Vertx vertx, WorkerExecutor workers, PipelineConfig config, PipelineServices services) {
        this.vertx = vertx;
        this.workers = workers;
        this.config = config;
        this.queue = services.queue();
        this.deployments = services.deployments();
        this.projects = services.projects();
        this.logs = services.logs();
        this.git = services.git();
        this.plugins = services.plugins();
        this.urls = services.urls();
        this.metrics = services.metrics();
        this.buildPhase = new BuildPhase(config, services.sandbox(), services.urls(), services.metrics(),
                new SharedCache(config.dataDirectory().resolve("cache"), config.cacheMaxBytes()));
        this.exports = new TriggerExports(config.dataDirectory());
    }

    /** The claim was fenced out: someone else owns the deployment now. */
    private static final class Fenced extends Exception {
        private static final long serialVersionUID = 1L;

        Fenced() {
            super("lease lost", null, false, false);
        }
    }

    Future<Void> run(Claim claim, AtomicBoolean cancelled) {
        DeploymentRun run = new DeploymentRun(claim, cancelled);
        // The log's last line does not depend on the deployment row: read both at once.
        Future<Integer> storedLines = logs.lastLine(claim.deploymentId());
        return deployments.find(claim.deploymentId())
                .compose(found -> {
                    if (found.isEmpty()) {
                        return Future.failedFuture(new Fenced());
                    }
                    run.deployment = found.get();
                    return projects.find(run.deployment.projectId());
                })
                .compose(project -> {
                    if (project.isEmpty()) {
                        return Future.failedFuture(new Fenced());
                    }
                    run.project = project.get();
                    return projects.envVars().secretKeys(run.project.id());
                })
                .compose(secretKeys -> {
                    run.secretKeys = secretKeys;
                    return storedLines;
                })
                .compose(lastLine -> {
                    run.redactor = redactorFor(run.project, run.secretKeys);
                    run.log = new DeploymentLog(vertx, logs, claim.deploymentId(), lastLine, run.redactor);
                    if (claim.attempt() > WorkQueue.MAX_ATTEMPTS) {
                        String message = "gave up after " + WorkQueue.MAX_ATTEMPTS + " attempts: the nodes running it stopped before it finished";
                        run.log.info(message);
                        return run.log.close().compose(closed -> queue.failed(claim, config.nodeId(), message,
                                failedDeployment -> PipelineStatuses.failed(message, true, failedDeployment.environment()))).compose(this::ended);
                    }
                    return steps(run);
                })
                .recover(error -> error instanceof Fenced ? Future.succeededFuture() : Future.failedFuture(error));
    }

    private Future<Void> steps(DeploymentRun run) {
        Claim claim = run.claim;
        if (claim.attempt() > 1) {
            run.log.info("attempt " + claim.attempt() + " on node " + config.nodeId() + ": retried because the previous attempt"
                    + (claim.previousOwner() == null ? "" : " on node " + claim.previousOwner()) + " did not finish ("
                    + (claim.releasedReason() == null ? "its lease ran out" : claim.releasedReason()) + ")");
        }
        return advance(run, DeploymentStatus.CLONING, null)
                .compose(v -> blocking(() -> checkout(run)))
                .compose(sourceDirectory -> deployments.lastBuilder(run.project.id(), claim.deploymentId())
                        .compose(lastBuilder -> blocking(() -> chooseBuilder(run, sourceDirectory, lastBuilder)))
                        .compose(detected -> detected.map(framework -> projects.setDetectedFramework(run.project.id(), framework))
                                .orElse(Future.succeededFuture()))
                        .compose(v -> advance(run, DeploymentStatus.BUILDING, run.builder.id()))
                        .compose(v -> blocking(() -> buildPhase.build(run, sourceDirectory))))
                .compose(output -> output.detectedFramework().map(framework -> projects.setDetectedFramework(run.project.id(), framework))
                        .orElse(Future.succeededFuture())
                        .compose(v -> deployments.addWarnings(claim.deploymentId(), run.warnings))
                        .compose(v -> advance(run, DeploymentStatus.UPLOADING, null))
                        .compose(v -> blocking(() -> upload(run, output.directory()))))
                .compose(artifactKey -> advance(run, DeploymentStatus.DEPLOYING, null)
                        .compose(v -> {
                            run.log.info("deployed at " + deploymentUrl(run));
                            endPhase(run);
                            return run.log.close();
                        })
                        .compose(v -> queue.deployed(claim, Environments.mayGoLive(run.project, run.deployment),
                                config.nodeId(), artifactKey, deployed -> PipelineStatuses.deployed(deployed.environment(),
                                        deploymentUrl(run), urls.logsUrl(run.project.id(), claim.deploymentId())))))
                .compose(deployed -> prune(run.project.id()).compose(v -> ended(deployed)))
                .recover(error -> failed(run, error))
                .eventually(() -> blocking(() -> {
                    if (run.lease != null) {
                        run.lease.close();
                    }
                    FileTrees.delete(run.workspace);
                    exports.discard(run.claim.deploymentId());
                    return null;
                }));
    }

    private Future<Void> failed(DeploymentRun run, Throwable error) {
        if (error instanceof Fenced || error instanceof BuildCancelledException || error instanceof InterruptedException
                || run.cancelled.get()) {
            // Cancel or a takeover already wrote the final state, or this node is stopping and the
            // job stays queued for the next node (or this one, restarted): this attempt only stops.
            return run.log.close();
        }
        // GitHub's "failure" is the build's fault; anything else (an unexpected exception too) is Kiln's: "error".
        boolean kilnFault = !(error instanceof BuildException);
        // error_message and the statuses made of it are as public as the log.
        String message = run.redactor.redact(error instanceof BuildException || error instanceof KilnFault
                ? ErrorSummary.of(error.getMessage(), run.commands == null ? List.of() : run.commands.lastErrorLines())
                : "internal error: " + error);
        if (!(error instanceof BuildException)) {
            LOG.warn("Deployment {} failed", run.claim.deploymentId(), error);
        }
        run.log.line("[kiln] failed: " + message);
        endPhase(run);
        return run.log.close()
                .compose(v -> queue.failed(run.claim, config.nodeId(), message,
                        failedDeployment -> PipelineStatuses.failed(message, kilnFault, failedDeployment.environment())))
                .compose(this::ended);
    }

    /**
     * Deletes the files of the project's deployments beyond the newest {@code artifacts.keep} (the
     * active one always stays). A failure here is logged; the deployment stays deployed.
     */
    private Future<Void> prune(long projectId) {
        return deployments.prune(projectId, config.keepArtifacts())
                .compose(pruned -> pruned.isEmpty() ? Future.succeededFuture() : blocking(() -> {
                    for (StoredArtifactRef artifact : pruned) {
                        Optional<StorageTarget> storage = plugins.storage(artifact.storage());
                        try {
                            if (storage.isEmpty()) {
                                throw new StorageException(plugins.storageProblem(artifact.storage()));
                            }
                            storage.get().delete(artifact.artifactKey());
                            LOG.info("Pruned the files of {} from '{}'", artifact.artifactKey(), artifact.storage());
                        } catch (StorageException | RuntimeException e) {
                            LOG.warn("Could not delete the pruned files of {} from '{}': {}", artifact.artifactKey(), artifact.storage(),
                                    e.getMessage());
                        }
                    }
                    return null;
                }))
                .<Void>mapEmpty()
                .recover(error -> {
                    LOG.warn("Pruning the deployments of project {} failed: {}", projectId, error.getMessage());
                    return Future.succeededFuture();
                });
    }

    private Future<Void> ended(Optional<Deployment> deployment) {
        deployment.ifPresent(ended -> {
            LiveLogs.publishEnd(vertx, ended.id(), ended.status().wireName());
            metrics.deploymentFinished(ended.status().wireName(), ended.builder());
        });
        return Future.succeededFuture();
    }

    /** Records how long the attempt spent in the phase it is leaving. */
    private void endPhase(DeploymentRun run) {
        if (run.phase != null) {
            metrics.phase(run.phase.wireName(), Duration.ofNanos(System.nanoTime() - run.phaseStartedNanos));
            run.phase = null;
        }
    }

    private Future<Void> advance(DeploymentRun run, DeploymentStatus status, String builder) {
        if (run.cancelled.get()) {
            return Future.failedFuture(new Fenced());
        }
        String node = config.nodeId();
        return queue.advance(run.claim, status, node, builder, PipelineStatuses.reportsProgress(status, run.claim.attempt())
                ? moved -> PipelineStatuses.building(node, moved.environment()) : null).compose(updated -> {
            if (updated.isEmpty()) {
                run.cancelled.set(true);
                return Future.failedFuture(new Fenced());
            }
            if (run.phase == null && status == DeploymentStatus.CLONING && run.claim.attempt() == 1) {
                // The wait in the queue, from the deployment's creation to this claim.
                metrics.phase(DeploymentStatus.QUEUED.wireName(),
                        Duration.between(run.deployment.createdAt().toInstant(), java.time.Instant.now()));
            }
            endPhase(run);
            run.phase = status;
            run.phaseStartedNanos = System.nanoTime();
            run.deployment = updated.get();
            run.log.info(status.wireName());
            return Future.succeededFuture();
        });
    }

    private Path checkout(DeploymentRun run) throws KilnFault, BuildException, IOException {
        Deployment deployment = run.deployment;
        run.workspace = config.dataDirectory().resolve("workspaces").resolve(deployment.id() + "-" + run.claim.attempt());
        FileTrees.delete(run.workspace);
        Path checkout = run.workspace.resolve("src");
        run.log.info("checking out " + deployment.commitSha() + " (" + deployment.branch() + ") from "
                + RepoUrlRules.masked(run.project.settings().repoUrl(), Redactor.MASK));
        // The trigger's tree (exported to detect the builder) is reused unless the commit has
        // submodules: those are checked out here, where a failure fails the deployment naming them.
        if (exports.take(deployment.id(), checkout) && !Files.exists(checkout.resolve(".gitmodules"))) {
            run.log.info("using the tree exported when the builder was detected");
        } else {
            FileTrees.delete(checkout);
            try {
                ExportResult exported = git.export(ProjectKeys.of(run.project.id()), run.project.settings().repoUrl(), deployment.branch(),
                        deployment.commitSha(), checkout, true);
                exported.submodules().forEach(run.log::info);
                exported.warnings().forEach(run.log::warn);
            } catch (GitException e) {
                throw new KilnFault("checkout failed: " + e.getMessage(), e);
            }
        }
        String root = run.project.settings().rootDirectory();
        Path source = root == null || root.isBlank() ? checkout : checkout.resolve(root).normalize();
        if (!source.startsWith(checkout) || !Files.isDirectory(source)) {
            throw new BuildException("root_directory '" + root + "' does not exist in commit " + deployment.commitSha());
        }
        return source;
    }

    private Optional<String> chooseBuilder(DeploymentRun run, Path sourceDirectory, Optional<String> lastBuilder)
            throws BuildException, InterruptedException {
        String projectBuilder = run.project.settings().builder();
        if (projectBuilder != null) {
            run.lease = plugins.acquireBuilder(projectBuilder).orElseThrow(() -> new BuildException(plugins.builderProblem(projectBuilder)));
            run.builder = run.lease.builder();
            return detectSafely(run, run.builder, sourceDirectory).map(Detection::framework);
        }
        // The trigger detected the builder, once, and logged why; older jobs may lack it and detect here.
        String chosen = run.deployment.builder();
        Optional<String> framework = Optional.ofNullable(run.project.detectedFramework());
        if (chosen == null) {
            Optional<BuilderDetection.Detected> detected = BuilderDetection.detect(plugins, sourceDirectory, run.log::warn, run.log::info);
            chosen = detected.map(BuilderDetection.Detected::builderId).orElseThrow(() -> new BuildException(
                    "no installed builder fits this repository; set the project's builder (installed: " + plugins.builderIds() + ")"));
            framework = detected.map(found -> found.detection().framework());
        }
        if (lastBuilder.isPresent() && !lastBuilder.get().equals(chosen) && plugins.builder(lastBuilder.get()).isEmpty()) {
            // A fallback such as static would publish the sources of a site the missing builder made.
            throw new BuildException("the project's last deployment was built by builder '" + lastBuilder.get() + "', which is gone: "
                    + plugins.builderProblem(lastBuilder.get()) + ". Kiln does not switch the project to '" + chosen + "' on its own: "
                    + "enable or install that plugin again, or set the project's builder to the one it should use now");
        }
        String builderId = chosen;
        run.lease = plugins.acquireBuilder(builderId).orElseThrow(() -> new BuildException(plugins.builderProblem(builderId)));
        run.builder = run.lease.builder();
        run.log.info("detected " + framework.orElse(builderId) + "; building with '" + builderId + "'");
        return run.deployment.builder() == null ? framework : Optional.empty();
    }

    private Optional<Detection> detectSafely(DeploymentRun run, Builder builder, Path sourceDirectory) throws InterruptedException {
        String id = builder.id();
        try {
            Optional<Detection> detection = BuilderCalls.call(() -> builder.detect(sourceDirectory), DETECT_TIMEOUT, run.cancelled::get,
                    "builder '" + id + "' (detect)");
            metrics.pluginCall(run.lease.pluginId(), "detect", false);
            return detection == null ? Optional.empty() : detection;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            metrics.pluginCall(run.lease.pluginId(), "detect", true);
            run.log.warn("builder '" + id + "' failed to inspect the repository: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The values of the project's secret variables are masked, and the repository URL's credentials. */
    private static Redactor redactorFor(Project project, java.util.Set<String> secretKeys) {
        List<String> secrets = new java.util.ArrayList<>();
        project.env().forEach((key, value) -> {
            if (secretKeys.contains(key)) {
                secrets.add(value);
            }
        });
        secrets.addAll(RepoUrlRules.credentialsOf(project.settings().repoUrl()));
        return Redactor.of(secrets);
    }

    private String upload(DeploymentRun run, Path output) throws KilnFault {
        String storageId = run.deployment.storage();
        StorageTarget storage = plugins.storage(storageId).orElseThrow(() -> new KilnFault(plugins.storageProblem(storageId), null));
        String artifactKey = run.project.slug() + "/" + run.deployment.id();
        try {
            var stored = storage.store(artifactKey, output);
            run.log.info("uploaded " + stored.files() + " files (" + stored.bytes() + " bytes) to '" + storageId + "'");
            try {
                // Other nodes copy the deployment from its manifest; without one they fetch files as asked.
                SiteCopies.writeManifest(config.dataDirectory(), artifactKey, output);
            } catch (java.io.IOException e) {
                LOG.warn("Could not record the files of {} for other nodes: {}", artifactKey, e.getMessage());
            }
            return artifactKey;
        } catch (StorageException | RuntimeException e) {
            throw new KilnFault("upload to '" + storageId + "' failed: " + e.getMessage(), e);
        }
    }

    private String deploymentUrl(DeploymentRun run) {
        return BuildPhase.deploymentUrl(urls, run);
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return workers.executeBlocking(work, false);
    }
}
