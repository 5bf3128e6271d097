package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildLog;
import dev.kiln.plugin.api.BuildSettings;
import dev.kiln.plugin.api.CommandRunner;

/**
 * The {@link BuildContext} Kiln hands a builder for one deployment.
 *
 * @param deploymentId the deployment
 * @param projectSlug the project's slug
 * @param checkoutDirectory the fresh checkout
 * @param sourceDirectory the project root inside it
 * @param settings the project's build settings
 * @param environment the full process environment
 * @param cacheRoot the per-project cache directory; builders get a subdirectory
 * @param deploymentUrl where the deployment will be served
 * @param log the deployment log
 * @param commands the process runner
 * @param cancelled true once cancelled
 * @param toolsRoot the node's shared tools directory
 */
public record HostBuildContext(
        long deploymentId,
        String projectSlug,
        Path checkoutDirectory,
        Path sourceDirectory,
        BuildSettings settings,
        Map<String, String> environment,
        Path cacheRoot,
        String deploymentUrl,
        BuildLog log,
        CommandRunner commands,
        BooleanSupplier cancelled,
        Path toolsRoot) implements BuildContext {

    @Override
    public Optional<Path> toolsDirectory() throws IOException {
        return Optional.of(Files.createDirectories(toolsRoot));
    }

    @Override
    public Path cacheDirectory() throws IOException {
        return Files.createDirectories(cacheRoot);
    }

    @Override
    public Optional<Path> findProgram(String program) {
        return ProcessCommandRunner.findOnPath(program, environment.get("PATH"));
    }

    @Override
    public boolean isCancelled() {
        return cancelled.getAsBoolean();
    }
}
