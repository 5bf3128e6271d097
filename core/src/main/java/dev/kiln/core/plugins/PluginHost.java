package dev.kiln.core.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.pf4j.PluginDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.FileTrees;
import dev.kiln.core.KilnException;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.KilnPluginApi;
import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;

/**
 * Loads builder and storage plugins with PF4J and keeps the registry of their extensions.
 * Plugins are installed, upgraded, disabled and removed while Kiln runs; each loaded version has
 * a class loader of its own, and one that builds still use stays loaded until they finish (see
 * {@link #acquireBuilder}). Extensions can also be registered in code, for embedding Kiln and
 * for tests.
 *
 * <p>See {@link PluginDirectory} for the layout of the plugins directory.
 */
public final class PluginHost {

    /** The default largest plugin file accepted, in bytes. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 64L * 1024 * 1024;
    /** The default time a plugin has to load and start, in seconds. */
    public static final long DEFAULT_START_TIMEOUT_SECONDS = 60;

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final Path pluginsDirectory;
    private final PluginDirectory directory;
    private final Path dataDirectory;
    private final Map<String, String> configuration;
    private final Map<String, Builder> builtInBuilders = new LinkedHashMap<>();
    private final Map<String, StorageTarget> builtInStorage = new LinkedHashMap<>();
    private final Map<String, String> builtInStorageProblems = new LinkedHashMap<>();
    private final Map<String, Installed> installed = new TreeMap<>();
    private final Set<LoadedPlugin> retiring = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<PluginChangeListener> listeners = new CopyOnWriteArrayList<>();

    // Read without the lock by the pipeline, the API and site serving; replaced whole on each change.
    private volatile Map<String, BuilderEntry> builders = Map.of();
    private volatile Map<String, StorageTarget> storageTargets = Map.of();
    private volatile Map<String, String> storageProblems = Map.of();

    private record BuilderEntry(Builder builder, String pluginId, LoadedPlugin owner) {
    }

    /** A plugin file in the plugins directory and what became of it. */
    private static final class Installed {
        final PluginDescriptor descriptor;
        final Path file;
        final Path loadPath;
        LoadedPlugin loaded;
        boolean disabled;
        String problem;
        Map<String, StorageTarget> storage = Map.of();
        Map<String, String> storageProblems = Map.of();
        Set<String> lastExtensionKeys = Set.of();

        Installed(PluginDescriptor descriptor, Path file, Path loadPath) {
            this.descriptor = descriptor;
            this.file = file;
            this.loadPath = loadPath;
        }

        String id() {
            return descriptor.getPluginId();
        }

        String version() {
            return descriptor.getVersion();
        }
    }

    /**
     * A host.
     *
     * @param pluginsDirectory where plugin files are; may not exist
     * @param dataDirectory the node's data directory, handed to storage targets
     * @param configuration Kiln's configuration; keys {@code storage.<id>.<name>} reach storage targets,
     *                      {@code plugins.max_upload_bytes} caps plugin uploads, {@code plugins.start_timeout_seconds}
     *                      bounds how long a plugin may take to start
     */
    public PluginHost(Path pluginsDirectory, Path dataDirectory, Map<String, String> configuration) {
        this.pluginsDirectory = pluginsDirectory;
        this.directory = new PluginDirectory(pluginsDirectory);
        this.dataDirectory = dataDirectory;
        this.configuration = Map.copyOf(configuration);
    }

    /**
     * Loads and starts every enabled plugin in the plugins directory. Blocking. A plugin that
     * fails to load is listed as failed; the others load.
     */
    public synchronized void start() {
        if (Files.isDirectory(pluginsDirectory)) {
            FileTrees.delete(directory.staging());
            FileTrees.delete(directory.expanded());
            Set<String> disabled = directory.readDisabled();
            for (Path file : directory.pluginFiles()) {
                Installed found;
                try {
                    found = inspect(file);
                } catch (KilnException | IOException e) {
                    LOG.warn("Ignoring plugin file {}: {}", file.getFileName(), e.getMessage());
                    continue;
                }
                Installed other = installed.get(found.id());
                if (other != null) {
                    boolean newer = PluginArchive.VERSIONS.compareVersions(found.version(), other.version()) > 0;
                    Installed ignored = newer ? other : found;
                    LOG.warn("Plugin '{}' is in the plugins directory twice; ignoring {} (version {})", found.id(),
                            ignored.file.getFileName(), ignored.version());
                    if (!newer) {
                        continue;
                    }
                }
                found.disabled = disabled.contains(found.id());
                installed.put(found.id(), found);
            }
            for (Installed plugin : installed.values()) {
                if (!plugin.disabled) {
                    try {
                        load(plugin);
                    } catch (KilnException e) {
                        plugin.problem = e.getMessage();
                        LOG.warn("Plugin '{}' failed: {}", plugin.id(), e.getMessage());
                    }
                    publish();
                }
            }
        }
        publish();
        LOG.info("Plugins: builders {}, storage targets {}", builders.keySet(), storageTargets.keySet());
    }

    /**
     * Registers a builder that is not in a plugin file.
     *
     * @param builder the builder
     */
    public synchronized void register(Builder builder) {
        String id = builder.id();
        if (builders.containsKey(id) || builtInBuilders.containsKey(id)) {
            LOG.warn("Builder id '{}' is already supplied; ignored", id);
            return;
        }
        builtInBuilders.put(id, builder);
        publish();
    }

    /**
     * Registers a storage target that is not in a plugin file.
     *
     * @param factory its factory
     */
    public synchronized void register(StorageTargetFactory factory) {
        String id = factory.id();
        if (storageTargets.containsKey(id) || storageProblems.containsKey(id) || builtInStorage.containsKey(id)) {
            LOG.warn("Storage id '{}' is already supplied; ignored", id);
            return;
        }
        Map<String, StorageTarget> targets = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        createStorage(id, factory, targets, problems);
        builtInStorage.putAll(targets);
        builtInStorageProblems.putAll(problems);
        publish();
    }

    /**
     * Adds a listener for installs, upgrades, state changes and removals.
     *
     * @param listener the listener
     */
    public void addChangeListener(PluginChangeListener listener) {
        listeners.add(listener);
    }

    /**
     * The largest plugin file {@link #install} accepts.
     *
     * @return bytes
     */
    public long maxUploadBytes() {
        return longSetting("plugins.max_upload_bytes", DEFAULT_MAX_UPLOAD_BYTES);
    }

    private long longSetting(String key, long fallback) {
        String configured = configuration.get(key);
        if (configured == null || configured.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(configured.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn("{} '{}' is not a positive whole number; using {}", key, configured, fallback);
        return fallback;
    }

    // ---- installing and managing ----

    /**
     * Installs (or upgrades to) a plugin from its file's bytes, and starts it: its extensions serve
     * the next deployment. Blocking. Either the plugin is installed and started, or nothing changed.
     * Builds using the version it replaces finish on that version.
     *
     * @param content a plugin jar or PF4J zip
     * @return the installed plugin
     * @throws KilnException 422 when the file is not an acceptable plugin, 409 when the same or a
     *                       newer version is installed
     */
    public synchronized PluginInfo install(byte[] content) {
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
                PluginArchive.expand(upload, expanded);
            }
            PluginDescriptor descriptor = PluginArchive.descriptor(layout == PluginArchive.Layout.ZIP ? expanded : upload);
            String id = descriptor.getPluginId();
            Installed existing = installed.get(id);
            if (existing != null && PluginArchive.VERSIONS.compareVersions(descriptor.getVersion(), existing.version()) <= 0) {
                throw KilnException.conflict("plugin '" + id + "' version " + existing.version() + " is installed; install a newer "
                        + "version than " + existing.version() + ", or delete the plugin first");
            }
            String baseName = id + "-" + descriptor.getVersion();
            Path file = pluginsDirectory.resolve(baseName + (layout == PluginArchive.Layout.ZIP ? ".zip" : ".jar"));
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
            Installed plugin = new Installed(descriptor, file, loadPath);
            load(plugin);
            try {
                directory.writeDisabled(id, false);
            } catch (KilnException e) {
                plugin.loaded.forceUnload();
                throw e;
            }
            installed.put(id, plugin);
            cleanUp.clear();
            publish();
            if (existing != null) {
                retire(existing);
                LOG.info("Upgraded plugin '{}' from {} to {}", id, existing.version(), plugin.version());
            } else {
                LOG.info("Installed plugin '{}' {}", id, plugin.version());
            }
            PluginInfo info = info(plugin);
            listeners.forEach(listener -> listener.installed(info, file));
            return info;
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL_ERROR, "could not write the plugin to " + pluginsDirectory + ": " + e.getMessage());
        } finally {
            cleanUp.forEach(FileTrees::delete);
        }
    }

    /**
     * Disables a plugin: its extensions are no longer offered; builds using them finish. Persists.
     *
     * @param id the plugin id
     * @return the plugin
     */
    public synchronized PluginInfo disable(String id) {
        Installed plugin = find(id);
        if (!plugin.disabled) {
            directory.writeDisabled(id, true);
            plugin.disabled = true;
            plugin.problem = null;
            if (plugin.loaded != null) {
                LoadedPlugin loaded = plugin.loaded;
                plugin.loaded = null;
                retiring.add(loaded);
                loaded.retire(() -> forget(loaded));
            }
            publish();
            LOG.info("Disabled plugin '{}'", id);
            notifyState(plugin);
        }
        return info(plugin);
    }

    /**
     * Enables a disabled (or failed) plugin and starts it.
     *
     * @param id the plugin id
     * @return the plugin
     * @throws KilnException 422 when it does not start; it stays as it was
     */
    public synchronized PluginInfo enable(String id) {
        Installed plugin = find(id);
        if (plugin.loaded == null) {
            load(plugin);
            directory.writeDisabled(id, false);
            plugin.disabled = false;
            plugin.problem = null;
            publish();
            LOG.info("Enabled plugin '{}'", id);
            notifyState(plugin);
        }
        return info(plugin);
    }

    /**
     * Removes a plugin and its file; builds using it finish first.
     *
     * @param id the plugin id
     */
    public synchronized void remove(String id) {
        Installed plugin = find(id);
        installed.remove(id);
        directory.writeDisabled(id, false);
        publish();
        retire(plugin);
        LOG.info("Removed plugin '{}' {}", id, plugin.version());
        listeners.forEach(listener -> listener.removed(id, plugin.version()));
    }

    /**
     * Every installed plugin, and the extensions registered in code as {@link PluginInfo#BUILT_IN}.
     *
     * @return plugins by id
     */
    public synchronized List<PluginInfo> plugins() {
        List<PluginInfo> result = new ArrayList<>();
        if (!builtInBuilders.isEmpty() || !builtInStorage.isEmpty() || !builtInStorageProblems.isEmpty()) {
            List<String> storage = new ArrayList<>(builtInStorage.keySet());
            storage.addAll(builtInStorageProblems.keySet());
            result.add(new PluginInfo(PluginInfo.BUILT_IN, KilnPluginApi.VERSION, "started", "Kiln",
                    "extensions registered in code", List.copyOf(builtInBuilders.keySet()), storage, null));
        }
        installed.values().forEach(plugin -> result.add(info(plugin)));
        return result;
    }

    /**
     * One installed plugin.
     *
     * @param id the plugin id
     * @return the plugin
     * @throws KilnException 404 when not installed
     */
    public synchronized PluginInfo plugin(String id) {
        return info(find(id));
    }

    private Installed find(String id) {
        Installed plugin = installed.get(id);
        if (plugin == null) {
            throw KilnException.notFound("plugin '" + id + "'");
        }
        return plugin;
    }

    private PluginInfo info(Installed plugin) {
        PluginDescriptor descriptor = plugin.descriptor;
        String state = plugin.loaded != null ? "started" : plugin.disabled ? "disabled" : "failed";
        List<String> builderIds = plugin.loaded == null ? List.of() : List.copyOf(plugin.loaded.builders().keySet());
        List<String> storageIds = plugin.loaded == null ? List.of() : List.copyOf(plugin.loaded.storageFactories().keySet());
        String problem = plugin.problem;
        if (problem == null && !plugin.storageProblems.isEmpty() && plugin.loaded != null) {
            problem = String.join("; ", plugin.storageProblems.values());
        }
        return new PluginInfo(plugin.id(), plugin.version(), state, blankToNull(descriptor.getProvider()),
                blankToNull(descriptor.getPluginDescription()), builderIds, storageIds, problem);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private void notifyState(Installed plugin) {
        PluginInfo info = info(plugin);
        listeners.forEach(listener -> listener.stateChanged(info));
    }

    /** Loads a plugin and checks its extension ids against everyone else's. Registers nothing. */
    private void load(Installed plugin) {
        LoadedPlugin loaded = loadWithin(plugin);
        for (String key : loaded.extensionKeys()) {
            String owner = ownerOf(key, plugin.id());
            if (owner != null) {
                loaded.forceUnload();
                String[] parts = key.split(":", 2);
                throw PluginArchive.invalid("duplicate extension id: " + ("builder".equals(parts[0]) ? "builder" : "storage target")
                        + " '" + parts[1] + "' of plugin '" + plugin.id() + "' is already supplied by "
                        + (PluginInfo.BUILT_IN.equals(owner) ? "Kiln itself" : "plugin '" + owner + "'"));
            }
        }
        Map<String, StorageTarget> targets = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        loaded.storageFactories().forEach((id, factory) -> createStorage(id, factory, targets, problems));
        targets.replaceAll((id, target) -> new LeasedStorage(id, target, loaded));
        plugin.loaded = loaded;
        plugin.problem = null;
        plugin.storage = targets;
        plugin.storageProblems = problems;
        plugin.lastExtensionKeys = Set.copyOf(loaded.extensionKeys());
    }

    /**
     * Loads on a thread of its own: a plugin whose {@code start()} or constructor hangs is refused
     * after {@code plugins.start_timeout_seconds} (default 60) instead of holding the host's lock,
     * and with it every plugin change, forever. The stuck thread is abandoned.
     */
    private LoadedPlugin loadWithin(Installed plugin) {
        long seconds = longSetting("plugins.start_timeout_seconds", DEFAULT_START_TIMEOUT_SECONDS);
        java.util.concurrent.FutureTask<LoadedPlugin> task = new java.util.concurrent.FutureTask<>(
                () -> LoadedPlugin.load(plugin.loadPath, plugin.descriptor));
        Thread thread = new Thread(task, "kiln-plugin-load-" + plugin.id());
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(seconds, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            task.cancel(true);
            throw PluginArchive.invalid("plugin '" + plugin.id() + "' did not start within " + seconds + " s");
        } catch (java.util.concurrent.ExecutionException e) {
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

    private String ownerOf(String key, String exceptPlugin) {
        String[] parts = key.split(":", 2);
        boolean builder = "builder".equals(parts[0]);
        if (builder ? builtInBuilders.containsKey(parts[1])
                : builtInStorage.containsKey(parts[1]) || builtInStorageProblems.containsKey(parts[1])) {
            return PluginInfo.BUILT_IN;
        }
        for (Installed other : installed.values()) {
            if (!other.id().equals(exceptPlugin) && other.loaded != null && other.loaded.extensionKeys().contains(key)) {
                return other.id();
            }
        }
        return null;
    }

    private void retire(Installed plugin) {
        LoadedPlugin loaded = plugin.loaded;
        plugin.loaded = null;
        Runnable deleteFiles = () -> {
            FileTrees.delete(plugin.file);
            if (!plugin.loadPath.equals(plugin.file)) {
                FileTrees.delete(plugin.loadPath);
            }
        };
        if (loaded == null) {
            deleteFiles.run();
        } else {
            retiring.add(loaded);
            loaded.retire(() -> {
                forget(loaded);
                deleteFiles.run();
            });
        }
    }

    private void forget(LoadedPlugin loaded) {
        retiring.remove(loaded);
    }

    private void createStorage(String id, StorageTargetFactory factory, Map<String, StorageTarget> targets, Map<String, String> problems) {
        Map<String, String> settings = new LinkedHashMap<>();
        String prefix = "storage." + id + ".";
        configuration.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                settings.put(key.substring(prefix.length()), value);
            }
        });
        try {
            // A target gets its own settings and the variables it declared, nothing else of Kiln's.
            Map<String, String> environment = new LinkedHashMap<>();
            factory.environmentVariables().forEach(name -> {
                String value = System.getenv(name);
                if (value != null) {
                    environment.put(name, value);
                }
            });
            targets.put(id, factory.create(new StorageContext(dataDirectory, settings, environment)));
        } catch (StorageException | RuntimeException | LinkageError e) {
            problems.put(id, e.getMessage());
            LOG.info("Storage target '{}' is not configured: {}", id, e.getMessage());
        }
    }

    /** Rebuilds the lock-free views from the built-ins and the started plugins. */
    private void publish() {
        Map<String, BuilderEntry> newBuilders = new LinkedHashMap<>();
        builtInBuilders.forEach((id, builder) -> newBuilders.put(id, new BuilderEntry(builder, PluginInfo.BUILT_IN, null)));
        Map<String, StorageTarget> newStorage = new LinkedHashMap<>(builtInStorage);
        Map<String, String> newProblems = new LinkedHashMap<>(builtInStorageProblems);
        for (Installed plugin : installed.values()) {
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

    // ---- what the pipeline, the API and site serving use ----

    /**
     * Leases a builder for one deployment: its plugin stays loaded until the lease is closed.
     *
     * @param id the builder id
     * @return the lease, when the builder is offered
     */
    public Optional<BuilderLease> acquireBuilder(String id) {
        // No host lock: an install holds it while a plugin loads, and builds must not wait for that.
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

    /**
     * Leases every offered builder, to detect which fits; close the ones not chosen.
     *
     * @return leases
     */
    public List<BuilderLease> acquireBuilders() {
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

    /**
     * Why a builder is not offered, for the user.
     *
     * @param id the builder id
     * @return a sentence
     */
    public synchronized String builderProblem(String id) {
        for (Installed plugin : installed.values()) {
            if (plugin.loaded == null && plugin.lastExtensionKeys.contains("builder:" + id)) {
                return "builder '" + id + "' is supplied by plugin '" + plugin.id() + "', which is "
                        + (plugin.disabled ? "disabled" : "failed: " + plugin.problem);
            }
        }
        List<String> disabled = installed.values().stream().filter(plugin -> plugin.disabled).map(Installed::id).toList();
        return "builder '" + id + "' is not installed; installed builders: " + new TreeSet<>(builders.keySet())
                + (disabled.isEmpty() ? "" : "; disabled plugins: " + disabled);
    }

    /**
     * A builder by id.
     *
     * @param id the builder id
     * @return the builder, when installed
     */
    public Optional<Builder> builder(String id) {
        return Optional.ofNullable(builders.get(id)).map(BuilderEntry::builder);
    }

    /**
     * All builders.
     *
     * @return the builders
     */
    public Collection<Builder> builders() {
        return builders.values().stream().map(BuilderEntry::builder).toList();
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
     * Stops every plugin, also those builds still hold. Blocking.
     */
    public synchronized void stop() {
        for (Installed plugin : installed.values()) {
            if (plugin.loaded != null) {
                plugin.loaded.forceUnload();
            }
        }
        new ArrayList<>(retiring).forEach(LoadedPlugin::forceUnload);
    }

    // ---- the plugins directory ----

    private Installed inspect(Path file) throws IOException {
        PluginArchive.checkEntries(file);
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) {
            String name = file.getFileName().toString();
            Path expandedTo = directory.expanded().resolve(name.substring(0, name.length() - ".zip".length()));
            FileTrees.delete(expandedTo);
            PluginArchive.expand(file, expandedTo);
            return new Installed(PluginArchive.descriptor(expandedTo), file, expandedTo);
        }
        return new Installed(PluginArchive.descriptor(file), file, file);
    }
}
