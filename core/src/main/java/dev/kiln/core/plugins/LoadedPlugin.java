package dev.kiln.core.plugins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.KilnException;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.KilnPluginApi;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;

/**
 * One loaded version of one plugin, with a PF4J manager and class loader of its own, so that a
 * newer version can load beside it while builds still use it. Builds lease it; once it is
 * retired (replaced, disabled, removed) it is unloaded when the last lease ends.
 */
final class LoadedPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedPlugin.class);

    private final PluginManager manager;
    private final PluginDescriptor descriptor;
    private final Map<String, Builder> builders;
    private final Map<String, StorageTargetFactory> storageFactories;
    private int leases;
    private boolean retired;
    private boolean unloaded;
    private Runnable afterUnload = () -> { };
    private List<StorageTarget> toClose = List.of();

    private LoadedPlugin(PluginManager manager, PluginDescriptor descriptor, Map<String, Builder> builders,
                         Map<String, StorageTargetFactory> storageFactories) {
        this.manager = manager;
        this.descriptor = descriptor;
        this.builders = builders;
        this.storageFactories = storageFactories;
    }

    /**
     * Loads a plugin, instantiates its extensions and checks their ids, and only then starts it:
     * a plugin refused for its extensions never runs {@code start()}. Threads the plugin starts
     * inherit its class loader as their context class loader, so that unloading can find them.
     *
     * @param path the jar, or the directory a zip was expanded into
     * @param descriptor its checked descriptor
     * @param conflicts given the extension keys ({@code builder:x}, {@code storage:y}), names a
     *                  clash with another plugin, or returns null
     * @return the loaded plugin
     * @throws KilnException 422 when it does not load, start or supply any extension
     */
    static LoadedPlugin load(Path path, PluginDescriptor descriptor, Function<List<String>, String> conflicts) {
        PluginManager manager = new DefaultPluginManager(path.toAbsolutePath().getParent()) {
            @Override
            protected PluginStatusProvider createPluginStatusProvider() {
                // Kiln keeps enabled/disabled itself; this manager only ever holds one plugin.
                return new AlwaysEnabled();
            }
        };
        manager.setSystemVersion(KilnPluginApi.VERSION);
        String id = descriptor.getPluginId();
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        try {
            String loadedId = manager.loadPlugin(path);
            PluginWrapper wrapper = loadedId == null ? null : manager.getPlugin(loadedId);
            if (wrapper == null) {
                throw PluginArchive.invalid("plugin '" + id + "' could not be loaded");
            }
            ClassLoader loader = wrapper.getPluginClassLoader();
            Map<String, Builder> builders = new LinkedHashMap<>();
            Map<String, StorageTargetFactory> storage = new LinkedHashMap<>();
            Set<String> listed = manager.getExtensionClassNames(loadedId);
            for (String className : listed) {
                Object extension = instantiate(manager, loader, id, className);
                if (extension instanceof Builder builder) {
                    String extensionId = extensionId(id, "builder", builder::id);
                    if (builders.put(extensionId, builder) != null) {
                        throw PluginArchive.invalid("duplicate extension id: plugin '" + id + "' has two builders '" + extensionId + "'");
                    }
                }
                if (extension instanceof StorageTargetFactory factory) {
                    String extensionId = extensionId(id, "storage target", factory::id);
                    if (storage.put(extensionId, factory) != null) {
                        throw PluginArchive.invalid("duplicate extension id: plugin '" + id + "' has two storage targets '" + extensionId + "'");
                    }
                }
            }
            if (builders.isEmpty() && storage.isEmpty()) {
                throw PluginArchive.invalid("plugin '" + id + "' supplies no builder or storage target"
                        + (listed.isEmpty() ? " (no META-INF/extensions.idx: annotate them with @Extension)"
                        : " (its extensions " + listed + " implement neither Builder nor StorageTargetFactory)"));
            }
            String conflict = conflicts.apply(keys(builders.keySet(), storage.keySet()));
            if (conflict != null) {
                throw PluginArchive.invalid(conflict);
            }
            current.setContextClassLoader(loader);
            PluginState state;
            try {
                state = manager.startPlugin(loadedId);
            } catch (RuntimeException | LinkageError e) {
                throw PluginArchive.invalid("plugin '" + id + "' failed to start: " + e);
            }
            if (state != PluginState.STARTED) {
                Throwable failure = wrapper.getFailedException();
                throw PluginArchive.invalid("plugin '" + id + "' failed to start"
                        + (failure == null ? " (state " + state + ")" : ": " + failure));
            }
            return new LoadedPlugin(manager, descriptor, builders, storage);
        } catch (KilnException e) {
            unload(manager, descriptor);
            throw e;
        } catch (RuntimeException | LinkageError e) {
            unload(manager, descriptor);
            throw PluginArchive.invalid("plugin '" + id + "' could not be loaded: " + e);
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    private static Object instantiate(PluginManager manager, ClassLoader loader, String pluginId, String className) {
        try {
            Class<?> type = loader.loadClass(className);
            if (!Builder.class.isAssignableFrom(type) && !StorageTargetFactory.class.isAssignableFrom(type)) {
                return null;
            }
            return manager.getExtensionFactory().create(type);
        } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
            throw PluginArchive.invalid("plugin '" + pluginId + "': its extension " + className + " does not load: " + e);
        }
    }

    private static String extensionId(String pluginId, String kind, java.util.function.Supplier<String> id) {
        String value;
        try {
            value = id.get();
        } catch (RuntimeException | LinkageError e) {
            throw PluginArchive.invalid("plugin '" + pluginId + "': a " + kind + "'s id() failed: " + e);
        }
        if (value == null || !value.matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw PluginArchive.invalid("plugin '" + pluginId + "': " + kind + " id '" + value
                    + "' must be lower case letters, digits and dashes");
        }
        return value;
    }

    PluginDescriptor descriptor() {
        return descriptor;
    }

    Map<String, Builder> builders() {
        return builders;
    }

    Map<String, StorageTargetFactory> storageFactories() {
        return storageFactories;
    }

    /** Every extension id it supplies, as {@code builder:x} and {@code storage:y}. */
    List<String> extensionKeys() {
        return keys(builders.keySet(), storageFactories.keySet());
    }

    private static List<String> keys(Set<String> builderIds, Set<String> storageIds) {
        List<String> keys = new ArrayList<>();
        builderIds.forEach(id -> keys.add("builder:" + id));
        storageIds.forEach(id -> keys.add("storage:" + id));
        return keys;
    }

    /** Takes a lease; false once retired. */
    synchronized boolean acquire() {
        if (retired) {
            return false;
        }
        leases++;
        return true;
    }

    /** Takes a lease for work that began before the plugin was retired; false once unloaded. */
    synchronized boolean acquireUnlessUnloaded() {
        if (unloaded) {
            return false;
        }
        leases++;
        return true;
    }

    synchronized void release() {
        leases--;
        if (retired && leases == 0) {
            unloadNow();
        }
    }

    /**
     * The storage targets made from this plugin's factories, closed just before it unloads.
     *
     * @param targets the targets as the factories returned them
     */
    synchronized void closeOnUnload(List<StorageTarget> targets) {
        toClose = List.copyOf(targets);
    }

    /**
     * No new leases; unloads now or when the last lease ends.
     *
     * @param then runs after unloading (deleting the replaced file, for example)
     */
    synchronized void retire(Runnable then) {
        retired = true;
        afterUnload = then;
        if (leases == 0) {
            unloadNow();
        }
    }

    /** Unloads whatever still holds a lease: the node is stopping. */
    synchronized void forceUnload() {
        retired = true;
        unloadNow();
    }

    private void unloadNow() {
        if (unloaded) {
            return;
        }
        unloaded = true;
        for (StorageTarget target : toClose) {
            try {
                target.close();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("A storage target of plugin {} failed to close: {}", descriptor.getPluginId(), e.toString());
            }
        }
        unload(manager, descriptor);
        LOG.info("Unloaded plugin {} {}", descriptor.getPluginId(), descriptor.getVersion());
        try {
            afterUnload.run();
        } catch (RuntimeException e) {
            LOG.warn("After unloading plugin {}: {}", descriptor.getPluginId(), e.toString());
        }
    }

    /**
     * Stops the plugin, then deals with threads it left running (found by their context class
     * loader, which threads started in {@code start()} inherit): each gets a short while to end,
     * then an interrupt; then the class loader is closed. A thread that ignores interrupts is
     * named in the log, since Java cannot stop it.
     */
    private static void unload(PluginManager manager, PluginDescriptor descriptor) {
        List<ClassLoader> loaders = manager.getPlugins().stream().map(PluginWrapper::getPluginClassLoader).toList();
        try {
            manager.stopPlugins();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("A plugin failed to stop: {}", e.toString());
        }
        PluginThreads.endThreadsOf(loaders, descriptor.getPluginId());
        try {
            manager.unloadPlugins();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("A plugin failed to unload: {}", e.toString());
        }
    }

    private static final class AlwaysEnabled implements PluginStatusProvider {
        @Override
        public boolean isPluginDisabled(String pluginId) {
            return false;
        }

        @Override
        public void disablePlugin(String pluginId) {
        }

        @Override
        public void enablePlugin(String pluginId) {
        }
    }
}
