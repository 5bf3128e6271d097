package dev.kiln.core.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.kiln.core.plugins.BuilderLease;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.plugin.api.Detection;

/**
 * Asks every installed builder whether it fits a source tree and picks the most confident; used
 * when a deployment is triggered, so the queue knows which builder (and tools) it needs.
 */
public final class BuilderDetection {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private BuilderDetection() {
    }

    /**
     * The builder chosen for a source tree.
     *
     * @param builderId the builder's id
     * @param detection what it found
     */
    public record Detected(String builderId, Detection detection) {
    }

    /**
     * Detects the builder for a source tree. A builder that fails, or does not answer in time, is
     * skipped with a warning.
     *
     * @param plugins the installed builders
     * @param sourceDirectory the tree
     * @param warnings receives a sentence per builder that failed
     * @return the best fit, if any builder fits
     * @throws InterruptedException when interrupted
     */
    public static Optional<Detected> detect(PluginHost plugins, java.nio.file.Path sourceDirectory, Consumer<String> warnings)
            throws InterruptedException {
        Detected best = null;
        List<BuilderLease> leases = plugins.acquireBuilders();
        try {
            for (BuilderLease lease : leases) {
                String id = lease.builder().id();
                Optional<Detection> detection;
                try {
                    detection = BuilderCalls.call(() -> lease.builder().detect(sourceDirectory), TIMEOUT, () -> false,
                            "builder '" + id + "' (detect)");
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception | LinkageError e) {
                    warnings.accept("builder '" + id + "' failed to inspect the repository: " + e.getMessage());
                    continue;
                }
                if (detection != null && detection.isPresent() && (best == null
                        || detection.get().confidence() > best.detection().confidence()
                        || detection.get().confidence() == best.detection().confidence() && id.compareTo(best.builderId()) < 0)) {
                    best = new Detected(id, detection.get());
                }
            }
        } finally {
            leases.forEach(BuilderLease::close);
        }
        return Optional.ofNullable(best);
    }
}
