package dev.kiln.plugin.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a build produced.
 *
 * @param directory the directory whose files are deployed; inside the build's checkout
 * @param framework the framework the build found, or {@code null} when not known
 */
public record BuildOutput(Path directory, String framework) {

    /**
     * Validates the output.
     *
     * @param directory an existing directory
     * @param framework the framework, may be null
     */
    public BuildOutput {
        Objects.requireNonNull(directory, "directory");
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("build output is not a directory: " + directory);
        }
    }

    /**
     * The framework the build found.
     *
     * @return the framework, when known
     */
    public Optional<String> detectedFramework() {
        return Optional.ofNullable(framework);
    }
}
