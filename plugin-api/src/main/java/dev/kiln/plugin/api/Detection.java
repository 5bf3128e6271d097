package dev.kiln.plugin.api;

import java.util.Objects;

/**
 * A builder's verdict that it fits a source tree.
 *
 * @param framework the framework or tool found, shown as the project's {@code detected_framework}
 *     (for example {@code vite}, {@code hugo}, {@code maven})
 * @param confidence from 1 (a fallback that fits anything) to 100 (certain)
 */
public record Detection(String framework, int confidence) {

    /**
     * Validates the detection.
     *
     * @param framework the framework name, not blank
     * @param confidence between 1 and 100
     */
    public Detection {
        Objects.requireNonNull(framework, "framework");
        if (framework.isBlank()) {
            throw new IllegalArgumentException("framework is blank");
        }
        if (confidence < 1 || confidence > 100) {
            throw new IllegalArgumentException("confidence must be between 1 and 100: " + confidence);
        }
    }
}
