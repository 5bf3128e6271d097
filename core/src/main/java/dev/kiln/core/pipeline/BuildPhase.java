package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.ProjectKeys;
import dev.kiln.core.cache.SharedCache;
import dev.kiln.core.metrics.KilnMetrics;
import dev.kiln.core.sites.PublicUrls;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.BuildSettings;
import dev.kiln.plugin.api.Builder;

/**
 * The build phase of a deployment: its directories, its environment, the shared package cache, the
 * builder's call with its timeout, and the checks on what it made.
 */
final class BuildPhase {

    private static final Logger LOG = LoggerFactory.getLogger(BuildPhase.class);

    private final PipelineConfig config;
    private final BuildSandbox sandbox;
    private final PublicUrls urls;
    private final KilnMetrics metrics;
    private final SharedCache sharedCache;

    BuildPhase(PipelineConfig config, BuildSandbox sandbox, PublicUrls urls, KilnMetrics metrics, SharedCache sharedCache) {
        this.config = config;
        this.sandbox = sandbox;
        this.urls = urls;
        this.metrics = metrics;
        this.sharedCache = sharedCache;
    }

    /**
     * Builds the checked-out sources with the run's builder, in the sandbox, with the shared
     * package cache, and checks what it made.
     *
     * @param run the run, with its workspace, builder and lease
     * @param sourceDirectory where the sources are (the checkout, or its root directory)
     * @return the output
     * @throws BuildException when the build failed
     * @throws InterruptedException when the node stops
     * @throws KilnFault when Kiln could not run the build
     */
    BuildOutput build(DeploymentRun run, Path sourceDirectory) throws BuildException, InterruptedException, KilnFault {
        var settings = run.project.settings();
        if (sandbox.problem().isPresent()) {
            throw new KilnFault(sandbox.problem().get(), null);
        }
        Path projectCache = config.dataDirectory().resolve("cache").resolve(ProjectKeys.of(run.project.id()));
        Path builderCache = projectCache.resolve(run.builder.id());
        Path home = projectCache.resolve("home");
        try {
            sandbox.prepare(List.of(run.workspace, projectCache, builderCache, home));
        } catch (IOException e) {
            throw new KilnFault("the build's directories cannot be prepared: " + e.getMessage(), e);
        }
        Map<String, String> environment = buildEnvironment(run, home);
        Map<String, String> secretValues = new HashMap<>(run.project.env());
        secretValues.keySet().retainAll(run.secretKeys);
        for (String name : Redactor.tooShort(secretValues)) {
            run.log.warn("the value of " + name + " is shorter than " + Redactor.MIN_LENGTH + " characters, so it is not masked in logs");
        }
        var runner = new ProcessCommandRunner(sandbox, List.of(run.workspace, projectCache), config.nodeId(), environment, run.log,
                run.cancelled::get, Duration.ofSeconds(settings.buildTimeoutSeconds()));
        run.commands = runner;
        var context = new HostBuildContext(run.deployment.id(), run.project.slug(), run.workspace.resolve("src"), sourceDirectory,
                new BuildSettings(settings.installCommand(), settings.buildCommand(), settings.outputDirectory(), settings.builderOptions(),
                        settings.nodeVersion()),
                environment, builderCache, deploymentUrl(urls, run), run.log, runner, run.cancelled::get, config.dataDirectory().resolve("tools"));
        // A project's output_directory outside the checkout fails before anything runs, whatever the builder.
        context.configuredOutput();
        BuildOutput output;
        Builder builder = run.builder;
        Duration timeout = Duration.ofSeconds((long) settings.buildTimeoutSeconds() + config.builderGraceSeconds());
        List<String> shared = cacheDirectories(builder::sharedCacheDirectories);
        List<String> deduplicated = cacheDirectories(builder::deduplicatedCacheDirectories);
        try {
            if (!shared.isEmpty()) {
                int placed = sharedCache.prepare(context.cacheRoot(), shared);
                sandbox.giveDirectories(context.cacheRoot());
                run.log.info("shared package cache: " + placed + " files " + (sharedCache.links() ? "linked" : "copied")
                        + " from this node's store" + (sharedCache.links() ? ""
                        : " (Kiln does not run as root, so builds get copies: downloads are shared, disk space is not)"));
            }
            boolean built = false;
            try {
                output = BuilderCalls.call(() -> builder.build(context), timeout, run.cancelled::get, "builder '" + builder.id() + "'");
                built = true;
            } finally {
                metrics.pluginCall(run.lease.pluginId(), "build", !built);
            }
        } catch (IOException e) {
            throw new KilnFault("the shared package cache cannot be used: " + e.getMessage(), e);
        } catch (BuildException | InterruptedException e) {
            throw e;
        } catch (BuilderCalls.TimedOut e) {
            throw new BuildException(e.getMessage());
        } catch (Exception | LinkageError e) {
            // A plugin's bug fails this deployment, not the node.
            throw new KilnFault("builder '" + builder.id() + "' crashed: " + e, e);
        } finally {
            if (!shared.isEmpty() || !deduplicated.isEmpty()) {
                finishSharedCache(run, context.cacheRoot(), shared, deduplicated);
            }
        }
        if (output == null) {
            throw new KilnFault("builder '" + run.builder.id() + "' returned no output", null);
        }
        // The project's output_directory wins over what any builder returns, one that ignores it too.
        Path chosen = context.output(output::directory);
        if (!chosen.equals(output.directory())) {
            run.log.info("output: " + context.sourceDirectory().relativize(chosen) + " (the project's output_directory)");
            output = new BuildOutput(chosen, output.framework());
        }
        try {
            Path real = output.directory().toRealPath();
            if (!real.startsWith(run.workspace.toRealPath())) {
                throw new BuildException("the output directory " + output.directory() + " is outside the checkout");
            }
        } catch (IOException e) {
            throw new BuildException("the output directory " + output.directory() + " cannot be read: " + e.getMessage());
        }
        if (!Files.isRegularFile(output.directory().resolve("index.html"))) {
            String folder = run.workspace.resolve("src").relativize(output.directory()).toString();
            String warning = "the output " + (folder.isEmpty() ? "(the repository root)" : "'" + folder + "'")
                    + " has no index.html, so the deployment's / answers 404; check the project's output_directory";
            run.log.warn(warning);
            run.warnings.add(warning);
        }
        return output;
    }

    /** Admits the build's new package files to the node's store; a failure here costs only sharing. */
    private void finishSharedCache(DeploymentRun run, Path projectCache, List<String> shared, List<String> deduplicated) {
        try {
            SharedCache.Admitted admitted = sharedCache.finish(projectCache, shared, deduplicated);
            if (!shared.isEmpty()) {
                run.log.info("shared package cache: " + admitted.admitted() + " new files stored for every project on this node"
                        + (admitted.refused().isEmpty() ? "" : "; " + admitted.refused().size()
                        + " files whose content does not match their name were not shared"));
            }
            if (admitted.deduplicated() > 0) {
                // Only as root: otherwise a copy would be the build's own, and changeable through every project's link.
                run.log.info("package cache: " + admitted.deduplicated() + " files now kept once on this node, as read-only links to one copy");
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Deployment {}: the shared package cache could not take the build's files: {}", run.claim.deploymentId(), e.toString());
        }
    }

    private static List<String> cacheDirectories(java.util.function.Supplier<List<String>> ofBuilder) {
        try {
            List<String> directories = ofBuilder.get();
            // Relative and inside the builder's cache: a plugin does not choose what else Kiln reads.
            return directories == null ? List.of() : directories.stream()
                    .filter(directory -> directory != null && !directory.isBlank() && !Path.of(directory).isAbsolute()
                            && !Path.of(directory).normalize().startsWith(".."))
                    .toList();
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }

    private Map<String, String> buildEnvironment(DeploymentRun run, Path home) {
        return BuildEnvironment.of(System.getenv(), Map.of(
                "KILN_DEPLOYMENT_ID", Long.toString(run.deployment.id()),
                "KILN_PROJECT", run.project.slug(),
                "KILN_COMMIT_SHA", run.deployment.commitSha(),
                "KILN_BRANCH", run.deployment.branch(),
                "KILN_DEPLOYMENT_URL", deploymentUrl(urls, run),
                "KILN_PRODUCTION_URL", urls.productionUrl(run.project.slug()),
                "KILN_BRANCH_URL", Optional.ofNullable(Environments.branchUrl(urls, run.project, run.deployment))
                        .orElseGet(() -> urls.productionUrl(run.project.slug())),
                "KILN_ENVIRONMENT", run.deployment.environment()), run.project.env(), home);
    }

    /** The URL a deployment is served at. */
    static String deploymentUrl(PublicUrls urls, DeploymentRun run) {
        return urls.deploymentUrl(run.project.slug(), run.claim.deploymentId());
    }
}
