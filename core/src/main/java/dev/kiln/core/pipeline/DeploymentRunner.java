package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.FileTrees;
import dev.kiln.core.git.GitException;
import dev.kiln.core.git.GitMirrors;
import dev.kiln.core.plugins.BuilderLease;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.sites.PublicUrls;
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
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.BuildSettings;
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
    }

    /** One run's mutable state, confined to the run. */
    private static final class Run {
        final Claim claim;
        final AtomicBoolean cancelled;
        Deployment deployment;
        Project project;
        DeploymentLog log;
        Path workspace;
        Builder builder;
        BuilderLease lease;

        Run(Claim claim, AtomicBoolean cancelled) {
            this.claim = claim;
            this.cancelled = cancelled;
        }
    }

    /** A failure Kiln itself caused (as opposed to the user's build). */
    private static final class KilnFault extends Exception {
        private static final long serialVersionUID = 1L;

        KilnFault(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The claim was fenced out: someone else owns the deployment now. */
    private static final class Fenced extends Exception {
        private static final long serialVersionUID = 1L;

        Fenced() {
            super("lease lost", null, false, false);
        }
    }

    Future<Void> run(Claim claim, AtomicBoolean cancelled) {
        Run run = new Run(claim, cancelled);
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
                    return storedLines;
                })
                .compose(lastLine -> {
                    run.log = new DeploymentLog(vertx, logs, claim.deploymentId(), lastLine);
                    if (claim.attempt() > WorkQueue.MAX_ATTEMPTS) {
                        String message = "gave up after " + WorkQueue.MAX_ATTEMPTS + " attempts: the nodes running it stopped before it finished";
                        run.log.info(message);
                        return run.log.close().compose(closed -> queue.failed(claim, config.nodeId(), message, true)).compose(this::ended);
                    }
                    return steps(run);
                })
                .recover(error -> error instanceof Fenced ? Future.succeededFuture() : Future.failedFuture(error));
    }

    private Future<Void> steps(Run run) {
        Claim claim = run.claim;
        if (claim.attempt() > 1) {
            run.log.info("attempt " + claim.attempt() + " on node " + config.nodeId() + ": retried because the previous attempt"
                    + (claim.previousOwner() == null ? "" : " on node " + claim.previousOwner()) + " did not finish ("
                    + (claim.releasedReason() == null ? "its lease ran out" : claim.releasedReason()) + ")");
        }
        return advance(run, DeploymentStatus.CLONING, null)
                .compose(v -> blocking(() -> checkout(run)))
                .compose(sourceDirectory -> blocking(() -> chooseBuilder(run, sourceDirectory))
                        .compose(detected -> detected.map(framework -> projects.setDetectedFramework(run.project.id(), framework))
                                .orElse(Future.succeededFuture()))
                        .compose(v -> advance(run, DeploymentStatus.BUILDING, run.builder.id()))
                        .compose(v -> blocking(() -> build(run, sourceDirectory))))
                .compose(output -> output.detectedFramework().map(framework -> projects.setDetectedFramework(run.project.id(), framework))
                        .orElse(Future.succeededFuture())
                        .compose(v -> advance(run, DeploymentStatus.UPLOADING, null))
                        .compose(v -> blocking(() -> upload(run, output.directory()))))
                .compose(artifactKey -> advance(run, DeploymentStatus.DEPLOYING, null)
                        .compose(v -> {
                            run.log.info("deployed at " + deploymentUrl(run));
                            return run.log.close();
                        })
                        .compose(v -> queue.deployed(claim, config.nodeId(), artifactKey, deploymentUrl(run),
                                urls.logsUrl(run.project.id(), claim.deploymentId()), DeploymentRules.mayGoLive(run.project, run.deployment))))
                .compose(deployed -> prune(run.project.id()).compose(v -> ended(deployed)))
                .recover(error -> failed(run, error))
                .eventually(() -> blocking(() -> {
                    if (run.lease != null) {
                        run.lease.close();
                    }
                    FileTrees.delete(run.workspace);
                    return null;
                }));
    }

    private Future<Void> failed(Run run, Throwable error) {
        if (error instanceof Fenced || error instanceof BuildCancelledException || error instanceof InterruptedException
                || run.cancelled.get()) {
            // Cancel or a takeover already wrote the final state, or this node is stopping and the
            // job stays queued for the next node (or this one, restarted): this attempt only stops.
            return run.log.close();
        }
        // GitHub's "failure" is the build's fault; anything else (an unexpected exception too) is Kiln's: "error".
        boolean kilnFault = !(error instanceof BuildException);
        String message = error instanceof BuildException || error instanceof KilnFault
                ? error.getMessage()
                : "internal error: " + error;
        if (!(error instanceof BuildException)) {
            LOG.warn("Deployment {} failed", run.claim.deploymentId(), error);
        }
        run.log.line("[kiln] failed: " + message);
        return run.log.close()
                .compose(v -> queue.failed(run.claim, config.nodeId(), message, kilnFault))
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
        deployment.ifPresent(ended -> LiveLogs.publishEnd(vertx, ended.id(), ended.status().wireName()));
        return Future.succeededFuture();
    }

    private Future<Void> advance(Run run, DeploymentStatus status, String builder) {
        if (run.cancelled.get()) {
            return Future.failedFuture(new Fenced());
        }
        return queue.advance(run.claim, status, config.nodeId(), builder).compose(updated -> {
            if (updated.isEmpty()) {
                run.cancelled.set(true);
                return Future.failedFuture(new Fenced());
            }
            run.deployment = updated.get();
            run.log.info(status.wireName());
            return Future.succeededFuture();
        });
    }

    private Path checkout(Run run) throws KilnFault, BuildException, IOException {
        Deployment deployment = run.deployment;
        run.workspace = config.dataDirectory().resolve("workspaces").resolve(deployment.id() + "-" + run.claim.attempt());
        FileTrees.delete(run.workspace);
        Path checkout = run.workspace.resolve("src");
        run.log.info("checking out " + deployment.commitSha() + " (" + deployment.branch() + ") from " + run.project.settings().repoUrl());
        try {
            git.export(mirrorKey(run.project.id()), run.project.settings().repoUrl(), deployment.branch(), deployment.commitSha(), checkout)
                    .warnings().forEach(run.log::warn);
        } catch (GitException e) {
            throw new KilnFault("checkout failed: " + e.getMessage(), e);
        }
        String root = run.project.settings().rootDirectory();
        Path source = root == null || root.isBlank() ? checkout : checkout.resolve(root).normalize();
        if (!source.startsWith(checkout) || !Files.isDirectory(source)) {
            throw new BuildException("root_directory '" + root + "' does not exist in commit " + deployment.commitSha());
        }
        return source;
    }

    private Optional<String> chooseBuilder(Run run, Path sourceDirectory) throws BuildException, KilnFault, InterruptedException {
        // The trigger resolved the builder already (the project's, or detected); older jobs may lack it.
        String configured = run.deployment.builder() != null ? run.deployment.builder() : run.project.settings().builder();
        if (configured != null) {
            run.lease = plugins.acquireBuilder(configured).orElseThrow(() -> new BuildException(plugins.builderProblem(configured)));
            run.builder = run.lease.builder();
            Optional<String> framework = detectSafely(run, run.builder, sourceDirectory).map(Detection::framework);
            if (run.project.settings().builder() == null) {
                run.log.info("detected " + framework.orElse(configured) + "; building with '" + configured + "'");
            }
            return framework;
        }
        BuilderLease best = null;
        Detection bestDetection = null;
        List<BuilderLease> candidates = plugins.acquireBuilders();
        try {
            for (BuilderLease candidate : candidates) {
                Optional<Detection> detection = detectSafely(run, candidate.builder(), sourceDirectory);
                if (detection.isPresent() && (bestDetection == null || detection.get().confidence() > bestDetection.confidence())) {
                    best = candidate;
                    bestDetection = detection.get();
                }
            }
        } finally {
            for (BuilderLease candidate : candidates) {
                if (candidate != best) {
                    candidate.close();
                }
            }
        }
        if (best == null) {
            throw new BuildException("no installed builder fits this repository; set the project's builder (installed: "
                    + plugins.builderIds() + ")");
        }
        run.lease = best;
        run.builder = best.builder();
        run.log.info("detected " + bestDetection.framework() + "; building with '" + run.builder.id() + "'");
        return Optional.of(bestDetection.framework());
    }

    private Optional<Detection> detectSafely(Run run, Builder builder, Path sourceDirectory) throws InterruptedException {
        String id = builder.id();
        try {
            Optional<Detection> detection = BuilderCalls.call(() -> builder.detect(sourceDirectory), DETECT_TIMEOUT, run.cancelled::get,
                    "builder '" + id + "' (detect)");
            return detection == null ? Optional.empty() : detection;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            run.log.warn("builder '" + id + "' failed to inspect the repository: " + e.getMessage());
            return Optional.empty();
        }
    }

    private BuildOutput build(Run run, Path sourceDirectory) throws BuildException, InterruptedException, KilnFault {
        var settings = run.project.settings();
        Map<String, String> environment = buildEnvironment(run);
        var runner = new ProcessCommandRunner(environment, run.log, run.cancelled::get, Duration.ofSeconds(settings.buildTimeoutSeconds()));
        var context = new HostBuildContext(run.deployment.id(), run.project.slug(), run.workspace.resolve("src"), sourceDirectory,
                new BuildSettings(settings.installCommand(), settings.buildCommand(), settings.outputDirectory(), settings.builderOptions()),
                environment, config.dataDirectory().resolve("cache").resolve(mirrorKey(run.project.id())).resolve(run.builder.id()),
                deploymentUrl(run), run.log, runner, run.cancelled::get);
        BuildOutput output;
        Builder builder = run.builder;
        Duration timeout = Duration.ofSeconds((long) settings.buildTimeoutSeconds() + config.builderGraceSeconds());
        try {
            output = BuilderCalls.call(() -> builder.build(context), timeout, run.cancelled::get, "builder '" + builder.id() + "'");
        } catch (BuildException | InterruptedException e) {
            throw e;
        } catch (BuilderCalls.TimedOut e) {
            throw new BuildException(e.getMessage());
        } catch (Exception | LinkageError e) {
            // A plugin's bug fails this deployment, not the node.
            throw new KilnFault("builder '" + builder.id() + "' crashed: " + e, e);
        }
        if (output == null) {
            throw new KilnFault("builder '" + run.builder.id() + "' returned no output", null);
        }
        try {
            Path real = output.directory().toRealPath();
            if (!real.startsWith(run.workspace.toRealPath())) {
                throw new BuildException("the output directory " + output.directory() + " is outside the checkout");
            }
        } catch (IOException e) {
            throw new BuildException("the output directory " + output.directory() + " cannot be read: " + e.getMessage());
        }
        return output;
    }

    private Map<String, String> buildEnvironment(Run run) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        // Kiln's own secrets never reach a build.
        environment.keySet().removeIf(name -> name.startsWith("KILN_") || name.startsWith("AWS_SECRET"));
        environment.put("CI", "true");
        environment.put("KILN", "1");
        environment.put("KILN_DEPLOYMENT_ID", Long.toString(run.deployment.id()));
        environment.put("KILN_PROJECT", run.project.slug());
        environment.put("KILN_COMMIT_SHA", run.deployment.commitSha());
        environment.put("KILN_BRANCH", run.deployment.branch());
        environment.put("KILN_DEPLOYMENT_URL", deploymentUrl(run));
        environment.put("KILN_PRODUCTION_URL", urls.productionUrl(run.project.slug()));
        environment.put("KILN_BRANCH_URL", DeploymentRules.branchUrl(urls, run.project, run.deployment)
                .orElseGet(() -> urls.productionUrl(run.project.slug())));
        environment.put("KILN_ENVIRONMENT", run.deployment.environment());
        environment.putAll(run.project.env());
        return environment;
    }

    private String upload(Run run, Path output) throws KilnFault {
        String storageId = run.deployment.storage();
        StorageTarget storage = plugins.storage(storageId).orElseThrow(() -> new KilnFault(plugins.storageProblem(storageId), null));
        String artifactKey = run.project.slug() + "/" + run.deployment.id();
        try {
            var stored = storage.store(artifactKey, output);
            run.log.info("uploaded " + stored.files() + " files (" + stored.bytes() + " bytes) to '" + storageId + "'");
            return artifactKey;
        } catch (StorageException | RuntimeException e) {
            throw new KilnFault("upload to '" + storageId + "' failed: " + e.getMessage(), e);
        }
    }

    private String deploymentUrl(Run run) {
        return urls.deploymentUrl(run.project.slug(), run.claim.deploymentId());
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return workers.executeBlocking(work, false);
    }

    static String mirrorKey(long projectId) {
        return "project-" + projectId;
    }
}
