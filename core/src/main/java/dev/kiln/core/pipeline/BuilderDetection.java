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
        return detect(plugins, sourceDirectory, warnings, line -> { });
    }

    /**
     * Detects the builder for a source tree and explains the choice: which builders were asked,
     * what each answered, and why the winner won.
     *
     * @param plugins the installed builders
     * @param sourceDirectory the tree
     * @param warnings receives a sentence per builder that failed
     * @param explanation receives the lines of the explanation, for the deployment log
     * @return the best fit, if any builder fits
     * @throws InterruptedException when interrupted
     */
    public static Optional<Detected> detect(PluginHost plugins, java.nio.file.Path sourceDirectory, Consumer<String> warnings,
                                            Consumer<String> explanation) throws InterruptedException {
        Detected best = null;
        List<Integer> confidences = new java.util.ArrayList<>();
        List<BuilderLease> leases = plugins.acquireBuilders();
        try {
            List<BuilderLease> inOrder = leases.stream().sorted(java.util.Comparator.comparing(lease -> lease.builder().id())).toList();
            explanation.accept("builder detection asked " + inOrder.stream().map(lease -> lease.builder().id()).toList() + ":");
            for (BuilderLease lease : inOrder) {
                String id = lease.builder().id();
                Optional<Detection> detection;
                try {
                    detection = BuilderCalls.call(() -> lease.builder().detect(sourceDirectory), TIMEOUT, () -> false,
                            "builder '" + id + "' (detect)");
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception | LinkageError e) {
                    warnings.accept("builder '" + id + "' failed to inspect the repository: " + e.getMessage());
                    explanation.accept("  " + id + ": failed to answer");
                    continue;
                }
                detection = detection == null ? Optional.empty() : detection;
                explanation.accept("  " + id + ": " + (detection.isPresent()
                        ? detection.get().framework() + " (confidence " + detection.get().confidence() + ")"
                        : "does not fit"));
                detection.ifPresent(found -> confidences.add(found.confidence()));
                if (detection != null && detection.isPresent() && (best == null
                        || detection.get().confidence() > best.detection().confidence()
                        || detection.get().confidence() == best.detection().confidence() && id.compareTo(best.builderId()) < 0)) {
                    best = new Detected(id, detection.get());
                }
            }
        } finally {
            leases.forEach(BuilderLease::close);
        }
        if (best == null) {
            explanation.accept("no builder fits");
        } else {
            int winning = best.detection().confidence();
            explanation.accept("'" + best.builderId() + "' wins with the highest confidence (" + winning + ")"
                    + (confidences.stream().filter(confidence -> confidence == winning).count() > 1 ? "; equal confidences go to the first builder id in alphabetical order" : ""));
        }
        return Optional.ofNullable(best);
    }
}
