package dev.kiln.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * The entry point of a storage target plugin: creates the {@link StorageTarget} projects select
 * by {@link #id()} in their {@code storage} field. Annotate the implementation with
 * {@code @Extension}.
 */
public interface StorageTargetFactory extends ExtensionPoint {

    /**
     * The id projects use to select this target (for example {@code local}, {@code s3}).
     *
     * @return lower case letters, digits and dashes, unique among installed plugins
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
     * The process environment variables the target reads, such as {@code AWS_ACCESS_KEY_ID}: only these reach
     * {@link StorageContext#environment()}, never the rest of Kiln's environment.
     *
     * @return variable names; none by default
     */
    default java.util.Set<String> environmentVariables() {
        return java.util.Set.of();
    }

    /**
     * Creates the target once per node, when its plugin starts.
     *
     * @param context where the node keeps data and the target's configuration
     * @return a ready target
     * @throws StorageException when the configuration is missing or wrong
     */
    StorageTarget create(StorageContext context) throws StorageException;
}
