package dev.kiln.plugin.api;

import java.util.Map;
import java.util.Optional;

/**
 * What the project says about how to build it. Every builder honours these: a command given
 * here replaces the builder's default, and an output directory given here replaces the one the
 * builder would find.
 *
 * @param installCommand the project's {@code install_command}, or null for the builder's default
 * @param buildCommand the project's {@code build_command}, or null for the builder's default
 * @param outputDirectory the project's {@code output_directory}, relative to the source directory, or null
 * @param options builder-specific options from the project's {@code builder_options}
 *     (for example {@code goal} for maven)
 * @param nodeVersion the project's {@code node_version}: the Node.js version or npm-style range its
 *     builds ask for (for example {@code 20} or {@code >=18 <21}), or null when the project sets none
 */
public record BuildSettings(String installCommand, String buildCommand, String outputDirectory, Map<String, String> options,
                            String nodeVersion) {

    /**
     * Copies the options.
     *
     * @param installCommand may be null
     * @param buildCommand may be null
     * @param outputDirectory may be null
     * @param options never null
     * @param nodeVersion may be null
     */
    public BuildSettings {
        options = Map.copyOf(options);
    }

    /**
     * Settings without a Node.js version, as Kiln made them before projects had one.
     *
     * @param installCommand may be null
     * @param buildCommand may be null
     * @param outputDirectory may be null
     * @param options never null
     */
    public BuildSettings(String installCommand, String buildCommand, String outputDirectory, Map<String, String> options) {
        this(installCommand, buildCommand, outputDirectory, options, null);
    }

    /**
     * The install command, when the project set one.
     *
     * @return the command line
     */
    public Optional<String> install() {
        return Optional.ofNullable(installCommand).filter(command -> !command.isBlank());
    }

    /**
     * The build command, when the project set one.
     *
     * @return the command line
     */
    public Optional<String> build() {
        return Optional.ofNullable(buildCommand).filter(command -> !command.isBlank());
    }

    /**
     * The output directory, when the project set one.
     *
     * @return the directory relative to the source directory
     */
    public Optional<String> output() {
        return Optional.ofNullable(outputDirectory).filter(directory -> !directory.isBlank());
    }

    /**
     * The Node.js version the project asks for, when it set one.
     *
     * @return the version or range, as the project gave it
     */
    public Optional<String> node() {
        return Optional.ofNullable(nodeVersion).filter(version -> !version.isBlank());
    }

    /**
     * One builder option.
     *
     * @param name the option name
     * @return its value, when set
     */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }
}
