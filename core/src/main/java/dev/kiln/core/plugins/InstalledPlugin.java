package dev.kiln.core.plugins;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pf4j.PluginDescriptor;

import dev.kiln.plugin.api.StorageTarget;

/**
 * A plugin file Kiln knows and what became of it. Changed only under the lifecycle's lock.
 */
final class InstalledPlugin {

    final PluginDescriptor descriptor;
    final Path file;
    final Path loadPath;
    /** In the installation's directory, which Kiln reads but never changes. */
    final boolean bundled;
    LoadedPlugin loaded;
    boolean disabled;
    String problem;
    Map<String, StorageTarget> storage = Map.of();
    Map<String, String> storageProblems = Map.of();
    Set<String> lastExtensionKeys = Set.of();

    InstalledPlugin(PluginDescriptor descriptor, Path file, Path loadPath, boolean bundled) {
        this.descriptor = descriptor;
        this.file = file;
        this.loadPath = loadPath;
        this.bundled = bundled;
    }

    String id() {
        return descriptor.getPluginId();
    }

    String version() {
        return descriptor.getVersion();
    }

    PluginState state() {
        return loaded != null ? PluginState.STARTED : disabled ? PluginState.DISABLED : PluginState.FAILED;
    }

    PluginInfo info() {
        List<String> builderIds = loaded == null ? List.of() : List.copyOf(loaded.builders().keySet());
        List<String> storageIds = loaded == null ? List.of() : List.copyOf(loaded.storageFactories().keySet());
        String shown = problem;
        if (shown == null && !storageProblems.isEmpty() && loaded != null) {
            shown = String.join("; ", storageProblems.values());
        }
        return new PluginInfo(id(), version(), state(), blankToNull(descriptor.getProvider()),
                blankToNull(descriptor.getPluginDescription()), builderIds, storageIds, shown);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
