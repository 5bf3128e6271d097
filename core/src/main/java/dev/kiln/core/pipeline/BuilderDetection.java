package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

import dev.kiln.core.plugins.PluginHost;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.Detection;

/**
 * Asks every installed builder whether it fits a source tree and picks the most confident.
 */
public final class BuilderDetection {

    private BuilderDetection() {
    }

    /**
     * The builder chosen for a source tree.
     *
     * @param builder the builder
     * @param detection what it found
     */
    public record Detected(Builder builder, Detection detection) {
    }

    /**
     * Detects the builder for a source tree. A builder that fails to inspect it is skipped.
     *
     * @param plugins the installed builders
     * @param sourceDirectory the tree
     * @param warnings receives a sentence per builder that failed
     * @return the best fit, if any builder fits
     */
    public static Optional<Detected> detect(PluginHost plugins, Path sourceDirectory, Consumer<String> warnings) {
        Detected best = null;
        for (Builder candidate : plugins.builders()) {
            Optional<Detection> detection;
            try {
                detection = candidate.detect(sourceDirectory);
            } catch (IOException | RuntimeException e) {
                warnings.accept("builder '" + candidate.id() + "' failed to inspect the repository: " + e.getMessage());
                continue;
            }
            if (detection.isPresent() && (best == null || detection.get().confidence() > best.detection().confidence()
                    || detection.get().confidence() == best.detection().confidence() && candidate.id().compareTo(best.builder().id()) < 0)) {
                best = new Detected(candidate, detection.get());
            }
        }
        return Optional.ofNullable(best);
    }
}
