package dev.kiln.core.plugins;

import dev.kiln.plugin.api.Builder;

/**
 * A builder held for one deployment: while a lease is open its plugin stays loaded, even when a
 * newer version replaces it or it is disabled or removed. Close it when the deployment ends.
 */
public final class BuilderLease implements AutoCloseable {

    private final Builder builder;
    private final String pluginId;
    private final LoadedPlugin owner;
    private boolean closed;

    BuilderLease(Builder builder, String pluginId, LoadedPlugin owner) {
        this.builder = builder;
        this.pluginId = pluginId;
        this.owner = owner;
    }

    /**
     * The builder.
     *
     * @return the builder
     */
    public Builder builder() {
        return builder;
    }

    /**
     * The plugin that supplies it.
     *
     * @return a plugin id, or {@link PluginInfo#BUILT_IN}
     */
    public String pluginId() {
        return pluginId;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (owner != null) {
                owner.release();
            }
        }
    }
}
