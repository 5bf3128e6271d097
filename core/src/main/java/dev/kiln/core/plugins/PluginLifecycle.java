package dev.kiln.core.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.pf4j.PluginDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.FileTrees;
import dev.kiln.core.KilnException;
import dev.kiln.plugin.api.StorageTarget;

/**
 * Installs, upgrades, enables, disables and removes plugins, one change at a time (every method
 * holds this object's lock), and loads those found at start-up. Each loaded version has a class
 * loader of its own; one that builds still use stays loaded until they finish.
 */
final class PluginLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PluginLifecycle.class);

    private final PluginDirectory directory;
    private final PluginScan scan;
    private final PluginRegistry registry;
    private final StorageSettings storageSettings;
    private final ArchiveLimits limits;
    private final long startTimeoutSeconds;
    private final Map<String, InstalledPlugin> installed = new TreeMap<>();
    private final Set<LoadedPlugin> retiring = ConcurrentHashMap.newKeySet();
    private final List<PluginChangeListener> listeners = new CopyOnWriteArrayList<>();

    PluginLifecycle(PluginDirectory directory, PluginScan scan, PluginRegistry registry, StorageSettings storageSettings,
                    ArchiveLimits limits, long startTimeoutSeconds) {
        this.directory = directory;
        this.scan = scan;
        this.registry = registry;
        this.storageSettings = storageSettings;
        this.limits = limits;
        this.startTimeoutSeconds = startTimeoutSeconds;
    }

    void addListener(PluginChangeListener listener) {
        listeners.add(listener);
    }

    synchronized void start() {
        Set<String> disabled = directory.readDisabled();
        for (InstalledPlugin plugin : scan.scan()) {
            plugin.disabled = disabled.contains(plugin.id());
            installed.put(plugin.id(), plugin);
        }
        for (InstalledPlugin plugin : installed.values()) {
            if (!plugin.disabled) {
                try {
                    load(plugin);
                } catch (KilnException e) {
                    plugin.problem = e.getMessage();
                    LOG.warn("Plugin '{}' failed: {}", plugin.id(), e.getMessage());
                }
                registry.publish(installed.values());
            }
        }
        registry.publish(installed.values());
    }

    /** Publishes after a built-in was registered. */
    synchronized void republish() {
        registry.publish(installed.values());
    }

    synchronized <T> T inOrder(java.util.function.Supplier<T> change) {
        return change.get();
    }

    synchronized PluginInfo install(byte[] content, boolean announce) {
        // Before anything is written: a zip bomb or an unwritable name is refused from memory.
        limits.check(content);
        Path staging = directory.staging();
        String name = "upload-" + UUID.randomUUID();
        Path upload = staging.resolve(name + ".jar");
        Path expanded = staging.resolve(name);
        List<Path> cleanUp = new ArrayList<>(List.of(upload, expanded));
        try {
            Files.createDirectories(staging);
            Files.write(upload, content);
            PluginArchive.checkEntries(upload);
            PluginArchive.Layout layout = PluginArchive.layoutOf(upload);
            if (layout == PluginArchive.Layout.ZIP) {
                PluginArchive.expand(upload, expanded, limits);
            }
            PluginDescriptor descriptor = PluginArchive.descriptor(layout == PluginArchive.Layout.ZIP ? expanded : upload);
            String id = descriptor.getPluginId();
            InstalledPlugin existing = installed.get(id);
            if (existing != null && PluginArchive.VERSIONS.compareVersions(descriptor.getVersion(), existing.version()) <= 0) {
                throw KilnException.conflict("plugin '" + id + "' version " + existing.version() + " is installed; install a newer "
                        + "version than " + existing.version() + ", or delete the plugin first");
            }
            String baseName = id + "-" + descriptor.getVersion();
            Path file = directory.root().resolve(baseName + (layout == PluginArchive.Layout.ZIP ? ".zip" : ".jar"));
            Path loadPath = layout == PluginArchive.Layout.ZIP ? directory.expanded().resolve(baseName) : file;
            if (existing != null && (file.equals(existing.file) || loadPath.equals(existing.loadPath))) {
                throw KilnException.conflict("plugin '" + id + "': a file named " + file.getFileName() + " is in use");
            }
            // From here the files are in place: on failure they are removed again.
            cleanUp.add(file);
            cleanUp.add(loadPath);
            Files.move(upload, file, StandardCopyOption.REPLACE_EXISTING);
            if (layout == PluginArchive.Layout.ZIP) {
                FileTrees.delete(loadPath);
                Files.createDirectories(loadPath.getParent());
                Files.move(expanded, loadPath);
            }
            InstalledPlugin plugin = new InstalledPlugin(descriptor, file, loadPath, false);
            load(plugin);
            try {
                directory.writeDisabled(id, false);
                directory.writeRemoved(id, false);
            } catch (KilnException e) {
                plugin.loaded.forceUnload();
                throw e;
            }
            installed.put(id, plugin);
            cleanUp.clear();
            registry.publish(installed.values());
            if (existing != null) {
                retire(existing);
                LOG.info("Upgraded plugin '{}' from {} to {}", id, existing.version(), plugin.version());
            } else {
                LOG.info("Installed plugin '{}' {}", id, plugin.version());
            }
            PluginInfo info = plugin.info();
            if (announce) {
                listeners.forEach(listener -> listener.installed(info, file));
            }
            return info;
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL_ERROR, "could not write the plugin to " + directory.root() + ": " + e.getMessage());
        } finally {
            cleanUp.forEach(FileTrees::delete);
        }
    }

    synchronized PluginInfo disable(String id, boolean announce) {
        InstalledPlugin plugin = find(id);
        if (!plugin.disabled) {
            directory.writeDisabled(id, true);
            plugin.disabled = true;
            plugin.problem = null;
            if (plugin.loaded != null) {
                LoadedPlugin loaded = plugin.loaded;
                plugin.loaded = null;
                retiring.add(loaded);
                loaded.retire(() -> retiring.remove(loaded));
            }
            registry.publish(installed.values());
            LOG.info("Disabled plugin '{}'", id);
            announceState(plugin, announce);
        }
        return plugin.info();
    }

    synchronized PluginInfo enable(String id, boolean announce) {
        InstalledPlugin plugin = find(id);
        if (plugin.loaded == null) {
            load(plugin);
            directory.writeDisabled(id, false);
            plugin.disabled = false;
            plugin.problem = null;
            registry.publish(installed.values());
            LOG.info("Enabled plugin '{}'", id);
            announceState(plugin, announce);
        }
        return plugin.info();
    }

    synchronized void remove(String id, boolean announce) {
        InstalledPlugin plugin = find(id);
        installed.remove(id);
        directory.writeDisabled(id, false);
        if (plugin.bundled) {
            directory.writeRemoved(id, true);
        }
        registry.publish(installed.values());
        retire(plugin);
        LOG.info("Removed plugin '{}' {}", id, plugin.version());
        if (announce) {
            listeners.forEach(listener -> listener.removed(id, plugin.version()));
        }
    }

    synchronized List<PluginInfo> plugins() {
        List<PluginInfo> result = new ArrayList<>();
        registry.builtIns().ifPresent(result::add);
        installed.values().forEach(plugin -> result.add(plugin.info()));
        return result;
    }

    synchronized PluginInfo plugin(String id) {
        return find(id).info();
    }

    synchronized String builderProblem(String id) {
        return registry.builderProblem(id, installed.values());
    }

    /** Stops every plugin, also those builds still hold. */
    synchronized void stop() {
        for (InstalledPlugin plugin : installed.values()) {
            if (plugin.loaded != null) {
                plugin.loaded.forceUnload();
            }
        }
        new ArrayList<>(retiring).forEach(LoadedPlugin::forceUnload);
    }

    private InstalledPlugin find(String id) {
        InstalledPlugin plugin = installed.get(id);
        if (plugin == null) {
            throw KilnException.notFound("plugin '" + id + "'");
        }
        return plugin;
    }

    private void announceState(InstalledPlugin plugin, boolean announce) {
        if (announce) {
            PluginInfo info = plugin.info();
            listeners.forEach(listener -> listener.stateChanged(info));
        }
    }

    /** Loads a plugin whose extension ids clash with nobody's, and creates its storage targets. Registers nothing. */
    private void load(InstalledPlugin plugin) {
        LoadedPlugin loaded = loadWithin(plugin);
        Map<String, StorageTarget> targets = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        loaded.storageFactories().forEach((id, factory) -> storageSettings.create(id, factory, targets, problems));
        loaded.closeOnUnload(List.copyOf(targets.values()));
        targets.replaceAll((id, target) -> new LeasedStorage(id, target, loaded));
        plugin.loaded = loaded;
        plugin.problem = null;
        plugin.storage = targets;
        plugin.storageProblems = problems;
        plugin.lastExtensionKeys = Set.copyOf(loaded.extensionKeys());
    }

    /**
     * Loads on a thread of its own: a plugin whose {@code start()} or constructor hangs is refused
     * after {@code plugins.start_timeout_seconds} instead of holding the lock, and with it every
     * plugin change, forever. The stuck thread is abandoned.
     */
    private LoadedPlugin loadWithin(InstalledPlugin plugin) {
        FutureTask<LoadedPlugin> task = new FutureTask<>(() -> LoadedPlugin.load(plugin.loadPath, plugin.descriptor,
                keys -> registry.conflict(keys, plugin.id(), installed.values())));
        Thread thread = new Thread(task, "kiln-plugin-load-" + plugin.id());
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(startTimeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw PluginArchive.invalid("plugin '" + plugin.id() + "' did not start within " + startTimeoutSeconds + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw PluginArchive.invalid("plugin '" + plugin.id() + "' could not be loaded: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            throw new KilnException(ErrorCode.UNAVAILABLE, "interrupted while loading plugin '" + plugin.id() + "'");
        }
    }

    private void retire(InstalledPlugin plugin) {
        LoadedPlugin loaded = plugin.loaded;
        plugin.loaded = null;
        Runnable deleteFiles = () -> {
            if (!plugin.bundled) {
                FileTrees.delete(plugin.file);
            }
            if (!plugin.loadPath.equals(plugin.file)) {
                FileTrees.delete(plugin.loadPath);
            }
        };
        if (loaded == null) {
            deleteFiles.run();
        } else {
            retiring.add(loaded);
            loaded.retire(() -> {
                retiring.remove(loaded);
                deleteFiles.run();
            });
        }
    }
}
