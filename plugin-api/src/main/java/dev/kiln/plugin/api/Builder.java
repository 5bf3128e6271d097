package dev.kiln.plugin.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.pf4j.ExtensionPoint;

/**
 * Turns a checked-out repository into a directory of static files that Kiln can store and serve.
 *
 * <p>A builder is a PF4J extension: annotate the implementation with {@code @Extension} in a plugin.
 * Kiln keeps one instance per plugin and calls it from many threads at once, so an
 * implementation keeps no per-build state in fields; everything a build needs comes from the
 * {@link BuildContext}.
 *
 * <p>Methods added to this interface in later versions of Kiln have default implementations,
 * so a builder written against an older API keeps working.
 */
public interface Builder extends ExtensionPoint {

    /**
     * The id projects use to select this builder (for example {@code npm}); lower case letters,
     * digits and dashes, unique among all installed plugins.
     *
     * @return the builder id
     */
    String id();

    /**
     * A one-line description shown in the plugins API.
     *
     * @return a human readable description
     */
    default String description() {
        return id();
    }

    /**
     * Decides whether this builder fits a source tree, when a project names no builder. Kiln asks
     * every builder and picks the detection with the highest {@link Detection#confidence()}.
     * Implementations only read files; they never run processes here.
     *
     * @param sourceDirectory the project's root directory inside the checkout
     * @return what was detected, or empty when this builder does not fit
     * @throws IOException when the source tree cannot be read
     */
    default Optional<Detection> detect(Path sourceDirectory) throws IOException {
        return Optional.empty();
    }

    /**
     * The command line tools this builder needs on a node (for example {@code npm}, {@code hugo}),
     * so Kiln sends its builds only to nodes that have them.
     *
     * @return tool names as found on the {@code PATH}; empty when none are needed
     */
    default List<String> requiredTools() {
        return List.of();
    }

    /**
     * Folders of this builder's cache directory ({@link BuildContext#cacheDirectory()}) that hold
     * content-addressed files: files whose path names the hash of their content, laid out as npm's
     * cache keeps them ({@code <folder>/sha512/ab/cd/<rest of the hex digest>}). Kiln shares such
     * files between the projects of a node, each checked against its name, so a package is
     * downloaded and stored once per node instead of once per project.
     *
     * @return paths relative to the cache directory, for example {@code npm-cache/content-v2}; empty when none
     */
    default List<String> sharedCacheDirectories() {
        return List.of();
    }

    /**
     * Folders of this builder's cache directory whose files are not named by their content (for
     * example yarn's cache or pnpm's store) but are often the same bytes in many projects. After
     * each build Kiln keeps each such file once per node: it becomes a read-only hard link to one
     * copy that builds cannot change. Nothing is placed into a project's cache from another's, so
     * this saves disk space, not downloads. A tool must not rewrite these files in place (a
     * database such as pnpm's {@code index.db} does not belong here).
     *
     * @return paths relative to the cache directory, for example {@code yarn-cache/v6}; empty when none
     */
    default List<String> deduplicatedCacheDirectories() {
        return List.of();
    }

    /**
     * Builds the source tree. Runs on a worker thread, never on an event loop. Every process
     * must be started through {@link BuildContext#commands()}, so that its output reaches the
     * deployment log and cancel and timeout stop it.
     *
     * @param context the build's settings and the host's services
     * @return the directory holding the files to deploy
     * @throws BuildException when the build fails, was cancelled or timed out
     * @throws InterruptedException when the build thread is interrupted
     */
    BuildOutput build(BuildContext context) throws BuildException, InterruptedException;
}
