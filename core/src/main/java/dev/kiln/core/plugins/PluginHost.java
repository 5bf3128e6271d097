package dev.kiln.core.plugins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.KilnPluginApi;
import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;

/**
 * Loads builder and storage plugins with PF4J and keeps the registry of their extensions.
 * Extensions can also be registered in code, for embedding Kiln and for tests.
 */
public final class PluginHost {

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final Path pluginsDirectory;
    private final Path dataDirectory;
    private final Map<String, String> configuration;
    private final Map<String, Builder> builders = new ConcurrentHashMap<>();
    private final Map<String, StorageTarget> storageTargets = new ConcurrentHashMap<>();
    private final Map<String, String> storageProblems = new ConcurrentHashMap<>();
    private final Map<String, String> extensionOwners = new ConcurrentHashMap<>();
    private PluginManager pluginManager;

    /**
     * A host.
     *
     * @param pluginsDirectory where plugin files are; may not exist
     * @param dataDirectory the node's data directory, handed to storage targets
     * @param configuration Kiln's configuration; keys {@code storage.<id>.<name>} reach storage targets
     */
    public PluginHost(Path pluginsDirectory, Path dataDirectory, Map<String, String> configuration) {
        this.pluginsDirectory = pluginsDirectory;
        this.dataDirectory = dataDirectory;
        this.configuration = Map.copyOf(configuration);
    }

    /**
     * Loads and starts every plugin in the plugins directory. Blocking.
     */
    public synchronized void start() {
        pluginManager = new DefaultPluginManager(pluginsDirectory);
        pluginManager.setSystemVersion(KilnPluginApi.VERSION);
        if (Files.isDirectory(pluginsDirectory)) {
            pluginManager.loadPlugins();
            pluginManager.startPlugins();
        }
        for (PluginWrapper plugin : pluginManager.getStartedPlugins()) {
            String pluginId = plugin.getPluginId();
            pluginManager.getExtensions(Builder.class, pluginId).forEach(builder -> addBuilder(builder, pluginId));
            pluginManager.getExtensions(StorageTargetFactory.class, pluginId).forEach(factory -> addStorage(factory, pluginId));
        }
        LOG.info("Plugins: builders {}, storage targets {}", builders.keySet(), storageTargets.keySet());
    }

    /**
     * Registers a builder that is not in a plugin file.
     *
     * @param builder the builder
     */
    public void register(Builder builder) {
        addBuilder(builder, "built-in");
    }

    /**
     * Registers a storage target that is not in a plugin file.
     *
     * @param factory its factory
     */
    public void register(StorageTargetFactory factory) {
        addStorage(factory, "built-in");
    }

    private void addBuilder(Builder builder, String owner) {
        String id = builder.id();
        if (builders.putIfAbsent(id, builder) != null) {
            LOG.warn("Builder id '{}' from {} is already supplied by {}; ignored", id, owner, extensionOwners.get("builder:" + id));
            return;
        }
        extensionOwners.put("builder:" + id, owner);
    }

    private void addStorage(StorageTargetFactory factory, String owner) {
        String id = factory.id();
        if (storageTargets.containsKey(id) || storageProblems.containsKey(id)) {
            LOG.warn("Storage id '{}' from {} is already supplied; ignored", id, owner);
            return;
        }
        extensionOwners.put("storage:" + id, owner);
        Map<String, String> settings = new LinkedHashMap<>();
        String prefix = "storage." + id + ".";
        configuration.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                settings.put(key.substring(prefix.length()), value);
            }
        });
        try {
            storageTargets.put(id, factory.create(new StorageContext(dataDirectory, settings, System.getenv())));
        } catch (StorageException | RuntimeException e) {
            storageProblems.put(id, e.getMessage());
            LOG.info("Storage target '{}' is not configured: {}", id, e.getMessage());
        }
    }

    /**
     * A builder by id.
     *
     * @param id the builder id
     * @return the builder, when installed
     */
    public Optional<Builder> builder(String id) {
        return Optional.ofNullable(builders.get(id));
    }

    /**
     * All builders.
     *
     * @return the builders
     */
    public Collection<Builder> builders() {
        return List.copyOf(builders.values());
    }

    /**
     * A storage target by id.
     *
     * @param id the target id
     * @return the target, when installed and configured
     */
    public Optional<StorageTarget> storage(String id) {
        return Optional.ofNullable(storageTargets.get(id));
    }

    /**
     * Why a storage target is unusable.
     *
     * @param id the target id
     * @return a sentence for the user
     */
    public String storageProblem(String id) {
        String problem = storageProblems.get(id);
        return problem != null ? "storage target '" + id + "' is not usable: " + problem
                : "storage target '" + id + "' is not installed";
    }

    /**
     * The ids of the installed builders.
     *
     * @return ids
     */
    public List<String> builderIds() {
        return new ArrayList<>(builders.keySet());
    }

    /**
     * The ids of the usable storage targets.
     *
     * @return ids
     */
    public List<String> storageIds() {
        return new ArrayList<>(storageTargets.keySet());
    }

    /**
     * Stops every plugin. Blocking.
     */
    public synchronized void stop() {
        if (pluginManager != null) {
            pluginManager.stopPlugins();
            pluginManager.unloadPlugins();
        }
    }
}
