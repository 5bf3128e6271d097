package dev.kiln.core.plugins;

import java.nio.file.Path;

/**
 * Told when the set of installed plugins changes through the API, for example to copy a plugin
 * to the other nodes of a cluster. Called after the change took effect on this node, on the
 * thread that made it; it must not block for long.
 */
public interface PluginChangeListener {

    /**
     * A plugin was installed or upgraded.
     *
     * @param plugin the plugin as now installed
     * @param file its file in the plugins directory
     */
    default void installed(PluginInfo plugin, Path file) {
    }

    /**
     * A plugin was enabled or disabled.
     *
     * @param plugin the plugin as it is now
     */
    default void stateChanged(PluginInfo plugin) {
    }

    /**
     * A plugin was removed.
     *
     * @param pluginId its id
     * @param version the version that was installed
     */
    default void removed(String pluginId, String version) {
    }
}
