package dev.kiln.plugin.api;

/**
 * Facts about this version of the plugin API.
 */
public final class KilnPluginApi {

    /**
     * The plugin API's version. A plugin states the versions it works with in its manifest's
     * {@code Plugin-Requires} (for example {@code >=0.1.0}); Kiln refuses a plugin that
     * requires another.
     */
    public static final String VERSION = "0.2.0";

    private KilnPluginApi() {
    }
}
