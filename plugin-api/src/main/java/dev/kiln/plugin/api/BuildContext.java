package dev.kiln.plugin.api;

import java.io.IOException;
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
}
