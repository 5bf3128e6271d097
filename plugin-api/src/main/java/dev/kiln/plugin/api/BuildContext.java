package dev.kiln.plugin.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one build needs from Kiln: where the sources are, what the project asked for,
 * and the host's services for running processes and writing the log.
 */
public interface BuildContext {

    /**
     * The deployment being built.
     *
     * @return the deployment id
     */
    long deploymentId();

    /**
     * The project's slug, stable for the project's life; useful to name caches.
     *
     * @return the slug
     */
    String projectSlug();

    /**
     * The root of the fresh checkout of the deployment's commit.
     *
     * @return an absolute directory Kiln deletes after the deployment
     */
    Path checkoutDirectory();

    /**
     * Where to build: the checkout, or the project's {@code root_directory} inside it.
     *
     * @return an absolute directory inside {@link #checkoutDirectory()}
     */
    Path sourceDirectory();

    /**
     * The project's build settings.
     *
     * @return the settings
     */
    BuildSettings settings();

    /**
     * The environment processes run with: Kiln's own, the project's {@code env}, and
     * {@code KILN_*} variables describing the deployment. {@link CommandRunner} applies it already.
     *
     * @return an unmodifiable map
     */
    Map<String, String> environment();

    /**
     * A directory kept between builds of this project by this builder (for example an npm cache),
     * on this node. Kiln may delete it at any time to clear the cache.
     *
     * @return an existing absolute directory
     * @throws IOException when it cannot be created
     */
    Path cacheDirectory() throws IOException;

    /**
     * A directory on this node shared by every build, for tools a builder fetches itself (for
     * example a Node version a project asks for). Only the builder's own code writes here, never a
     * process it starts: builds may run in a sandbox where this directory is read-only, so a
     * builder verifies what it downloads and moves it into place complete.
     *
     * @return the directory, created if missing; empty when this Kiln offers none
     * @throws IOException when it cannot be created
     */
    default Optional<Path> toolsDirectory() throws IOException {
        return Optional.empty();
    }

    /**
     * The absolute URL the deployment will be served at, ending in {@code /}; for tools that
     * bake the base URL into the site (hugo's {@code --baseURL}).
     *
     * @return the URL
     */
    String deploymentUrl();

    /**
     * The deployment's log.
     *
     * @return the log
     */
    BuildLog log();

    /**
     * Runs processes for this build.
     *
     * @return the runner
     */
    CommandRunner commands();

    /**
     * Finds a program on the build's {@code PATH}.
     *
     * @param program a program name such as {@code yarn}
     * @return its path, when found and executable
     */
    Optional<Path> findProgram(String program);

    /**
     * Whether the deployment was cancelled; a builder doing long work of its own checks this.
     *
     * @return true once cancelled
     */
    boolean isCancelled();

    /**
     * Runs the build's install step: the project's {@code install_command} when it set one, else
     * the builder's own. A builder calls this once per build, with {@code null} when it installs
     * nothing itself, so that a project's {@code install_command} runs whichever builder builds it.
     * Kiln logs the step; the project's command runs through {@code sh -c} in the
     * {@link #sourceDirectory()}.
     *
     * @param environment variables the project's command gets on top of {@link #environment()}
     *     (for example the builder's caches and {@code PATH}); the builder's command brings its own
     * @param byDefault the builder's install command, or null when it has none
     * @return whether a command ran
     * @throws BuildException when the command fails, or the build was cancelled or timed out
     * @throws InterruptedException when the build thread is interrupted
     */
    default boolean install(Map<String, String> environment, Command byDefault) throws BuildException, InterruptedException {
        return BuildSteps.run(this, "install", settings().install(), environment, byDefault);
    }

    /**
     * Runs the build step: the project's {@code build_command} when it set one, else the
     * builder's own; as {@link #install(Map, Command)} does for the install step.
     *
     * @param environment variables the project's command gets on top of {@link #environment()}
     * @param byDefault the builder's build command, or null when it has none
     * @return whether a command ran
     * @throws BuildException when the command fails, or the build was cancelled or timed out
     * @throws InterruptedException when the build thread is interrupted
     */
    default boolean build(Map<String, String> environment, Command byDefault) throws BuildException, InterruptedException {
        return BuildSteps.run(this, "build", settings().build(), environment, byDefault);
    }

    /**
     * The project's {@code output_directory}, resolved against the {@link #sourceDirectory()};
     * for builders whose own command is told where to write (hugo's {@code --destination}).
     *
     * @return the directory, when the project set one; it may not exist before the build
     * @throws BuildException when it lies outside the checkout
     */
    default Optional<Path> configuredOutput() throws BuildException {
        Optional<String> configured = settings().output();
        if (configured.isEmpty()) {
            return Optional.empty();
        }
        Path output = sourceDirectory().resolve(configured.get()).normalize();
        if (!output.startsWith(checkoutDirectory())) {
            throw new BuildException("output_directory '" + configured.get() + "' is outside the repository");
        }
        return Optional.of(output);
    }

    /**
     * The directory to deploy, once the build steps ran: the project's {@code output_directory}
     * when it set one, else what the builder finds. Kiln applies the project's setting to what
     * every builder returns, so a builder that calls this only saves itself a search.
     *
     * @param byDefault how the builder finds its output when the project names none
     * @return an existing directory inside the checkout
     * @throws BuildException when the project's directory does not exist, or the builder finds none
     */
    default Path output(OutputFinder byDefault) throws BuildException {
        Optional<Path> configured = configuredOutput();
        if (configured.isEmpty()) {
            return byDefault.find();
        }
        if (!Files.isDirectory(configured.get())) {
            throw new BuildException("output_directory '" + settings().outputDirectory() + "' does not exist after the build");
        }
        return configured.get();
    }

    /** How a builder finds the directory its own build wrote. */
    @FunctionalInterface
    interface OutputFinder {

        /**
         * Finds the output.
         *
         * @return an existing directory
         * @throws BuildException when the build wrote none
         */
        Path find() throws BuildException;
    }
}
