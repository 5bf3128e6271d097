package dev.kiln.core.plugins;

import java.util.List;

/**
 * An installed plugin as the API lists it.
 *
 * @param id the Plugin-Id, or {@code built-in} for extensions registered in code
 * @param version its version
 * @param state started, disabled or failed
 * @param provider who made it, or null
 * @param description what it is, or null
 * @param builders the ids of the builders it supplies (empty unless started)
 * @param storageTargets the ids of the storage targets it supplies (empty unless started)
 * @param problem why it failed, or null
 */
public record PluginInfo(String id, String version, PluginState state, String provider, String description, List<String> builders,
                         List<String> storageTargets, String problem) {

    /** The id under which extensions registered in code are listed. */
    public static final String BUILT_IN = "built-in";

    /**
     * Copies the lists.
     */
    public PluginInfo {
        builders = List.copyOf(builders);
        storageTargets = List.copyOf(storageTargets);
    }
}
