package dev.kiln.core.plugins;

import java.util.Locale;

/** What became of an installed plugin. */
public enum PluginState {
    /** Loaded and started: its extensions are offered. */
    STARTED,
    /** Disabled by an administrator: installed, not loaded. */
    DISABLED,
    /** Enabled but it did not load or start; {@link PluginInfo#problem()} says why. */
    FAILED;

    /**
     * The name in API answers.
     *
     * @return for example {@code started}
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
