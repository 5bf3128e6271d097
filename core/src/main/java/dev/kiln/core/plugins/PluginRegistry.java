package dev.kiln.core.plugins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.KilnPluginApi;
import dev.kiln.plugin.api.StorageTarget;

/**
 * The extensions on offer: those registered in code and those of started plugins, by id, and
 * the leases that keep a plugin loaded while a build uses it. Reads take no lock (the pipeline,
 * the API and site serving read all the time); {@link #publish} replaces the views whole, under
 * the lifecycle's lock.
 */
final class PluginRegistry {

    private final Map<String, Builder> builtInBuilders = new LinkedHashMap<>();
    private final Map<String, StorageTarget> builtInStorage = new LinkedHashMap<>();
    private final Map<String, String> builtInStorageProblems = new LinkedHashMap<>();

    private volatile Map<String, BuilderEntry> builders = Map.of();
    private volatile Map<String, StorageTarget> storageTargets = Map.of();
    private volatile Map<String, String> storageProblems = Map.of();

    private record BuilderEntry(Builder builder, String pluginId, LoadedPlugin owner) {
    }

    boolean offersBuilder(String id) {
        return builders.containsKey(id) || builtInBuilders.containsKey(id);
    }

    boolean offersStorage(String id) {
        return storageTargets.containsKey(id) || storageProblems.containsKey(id) || builtInStorage.containsKey(id);
    }

    void addBuiltIn(Builder builder) {
        builtInBuilders.put(builder.id(), builder);
    }

    void addBuiltIn(Map<String, StorageTarget> targets, Map<String, String> problems) {
        builtInStorage.putAll(targets);
        builtInStorageProblems.putAll(problems);
    }

    /** The extensions registered in code as one pseudo plugin, or empty when there are none. */
    Optional<PluginInfo> builtIns() {
        if (builtInBuilders.isEmpty() && builtInStorage.isEmpty() && builtInStorageProblems.isEmpty()) {
            return Optional.empty();
        }
        List<String> storage = new ArrayList<>(builtInStorage.keySet());
        storage.addAll(builtInStorageProblems.keySet());
        return Optional.of(new PluginInfo(PluginInfo.BUILT_IN, KilnPluginApi.VERSION, PluginState.STARTED, "Kiln",
                "extensions registered in code", List.copyOf(builtInBuilders.keySet()), storage, null));
    }

    /**
     * Who else supplies one of these extensions.
     *
     * @param keys {@code builder:x} and {@code storage:y}
     * @param pluginId the plugin asking, which does not clash with itself
     * @param installed every installed plugin
     * @return a sentence naming the clash, or null
     */
    String conflict(List<String> keys, String pluginId, Collection<InstalledPlugin> installed) {
        for (String key : keys) {
            String[] parts = key.split(":", 2);
            boolean builder = "builder".equals(parts[0]);
            String owner = null;
            if (builder ? builtInBuilders.containsKey(parts[1])
                    : builtInStorage.containsKey(parts[1]) || builtInStorageProblems.containsKey(parts[1])) {
                owner = "Kiln itself";
            }
            for (InstalledPlugin other : installed) {
                if (owner == null && !other.id().equals(pluginId) && other.loaded != null && other.loaded.extensionKeys().contains(key)) {
                    owner = "plugin '" + other.id() + "'";
                }
            }
            if (owner != null) {
                return "duplicate extension id: " + (builder ? "builder" : "storage target") + " '" + parts[1] + "' of plugin '"
                        + pluginId + "' is already supplied by " + owner;
            }
        }
        return null;
    }

    /** Rebuilds the lock-free views from the built-ins and the started plugins. */
    void publish(Collection<InstalledPlugin> installed) {
        Map<String, BuilderEntry> newBuilders = new LinkedHashMap<>();
        builtInBuilders.forEach((id, builder) -> newBuilders.put(id, new BuilderEntry(builder, PluginInfo.BUILT_IN, null)));
        Map<String, StorageTarget> newStorage = new LinkedHashMap<>(builtInStorage);
        Map<String, String> newProblems = new LinkedHashMap<>(builtInStorageProblems);
        for (InstalledPlugin plugin : installed) {
            if (plugin.loaded != null) {
                plugin.loaded.builders().forEach((id, builder) -> newBuilders.putIfAbsent(id, new BuilderEntry(builder, plugin.id(),
                        plugin.loaded)));
                plugin.storage.forEach(newStorage::putIfAbsent);
                plugin.storageProblems.forEach(newProblems::putIfAbsent);
            }
        }
        builders = Map.copyOf(newBuilders);
        storageTargets = Map.copyOf(newStorage);
        storageProblems = Map.copyOf(newProblems);
    }

    Optional<BuilderLease> acquireBuilder(String id) {
        // A lease fails only on a version retired after this read; the view already has its successor.
        for (int attempt = 0; attempt < 3; attempt++) {
            BuilderEntry entry = builders.get(id);
            if (entry == null) {
                return Optional.empty();
            }
            BuilderLease lease = lease(entry);
            if (lease != null) {
                return Optional.of(lease);
            }
        }
        return Optional.empty();
    }

    List<BuilderLease> acquireBuilders() {
        List<BuilderLease> leases = new ArrayList<>();
        for (Map.Entry<String, BuilderEntry> entry : builders.entrySet()) {
            BuilderLease lease = lease(entry.getValue());
            if (lease == null) {
                lease = acquireBuilder(entry.getKey()).orElse(null);
            }
            if (lease != null) {
                leases.add(lease);
            }
        }
        return leases;
    }

    private static BuilderLease lease(BuilderEntry entry) {
        if (entry.owner() != null && !entry.owner().acquire()) {
            return null;
        }
        return new BuilderLease(entry.builder(), entry.pluginId(), entry.owner());
    }

    String builderProblem(String id, Collection<InstalledPlugin> installed) {
        for (InstalledPlugin plugin : installed) {
            if (plugin.loaded == null && plugin.lastExtensionKeys.contains("builder:" + id)) {
                return "builder '" + id + "' is supplied by plugin '" + plugin.id() + "', which is "
                        + (plugin.disabled ? "disabled" : "failed: " + plugin.problem);
            }
        }
        List<String> disabled = installed.stream().filter(plugin -> plugin.disabled).map(InstalledPlugin::id).toList();
        return "builder '" + id + "' is not installed; installed builders: " + new TreeSet<>(builders.keySet())
                + (disabled.isEmpty() ? "" : "; disabled plugins: " + disabled);
    }

    Optional<Builder> builder(String id) {
        return Optional.ofNullable(builders.get(id)).map(BuilderEntry::builder);
    }

    Collection<Builder> builders() {
        return builders.values().stream().map(BuilderEntry::builder).toList();
    }

    Optional<StorageTarget> storage(String id) {
        return Optional.ofNullable(storageTargets.get(id));
    }

    String storageProblem(String id) {
        String problem = storageProblems.get(id);
        return problem != null ? "storage target '" + id + "' is not usable: " + problem
                : "storage target '" + id + "' is not installed";
    }

    List<String> builderIds() {
        return new ArrayList<>(builders.keySet());
    }

    List<String> storageIds() {
        return new ArrayList<>(storageTargets.keySet());
    }
}
