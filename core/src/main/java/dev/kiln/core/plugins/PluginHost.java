package dev.kiln.core.plugins;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.KilnException;
import dev.kiln.core.Settings;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;

/**
 * Kiln's plugins: builder and storage plugins loaded with PF4J, installed, upgraded, disabled and
 * removed while Kiln runs, and the extensions they offer. Extensions can also be registered in
 * code, for embedding Kiln and for tests.
 *
 * <p>The parts: {@link PluginRegistry} (what is offered, and leases: a plugin version a build
 * uses stays loaded until the build ends), {@link PluginLifecycle} (the changes, one at a time),
 * {@link PluginScan} (what to load at start-up), {@link StorageSettings} (each storage target's own
 * settings) and {@link PluginDirectory} (the node's own plugin files, in its data directory).
 */
public final class PluginHost {

    /** The default largest plugin file accepted, in bytes. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 64L * 1024 * 1024;
    /** The default time a plugin has to load and start, in seconds. */
    public static final long DEFAULT_START_TIMEOUT_SECONDS = 60;

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final PluginRegistry registry = new PluginRegistry();
    private final StorageSettings storageSettings;
    private final PluginLifecycle lifecycle;
    private final long maxUploadBytes;

    /**
     * A host.
     *
     * @param pluginsDirectory the installation's plugin files, only read; may not exist
     * @param dataDirectory the node's data directory: plugins installed through the API are kept in
     *                      its {@code plugins/}, and storage targets get it
     * @param configuration Kiln's settings; keys {@code storage.<id>.<name>} reach storage targets,
     *                      {@code plugins.max_upload_bytes} caps plugin uploads, {@code plugins.max_unpacked_bytes}
     *                      what they unpack to, {@code plugins.start_timeout_seconds} bounds how long a plugin may
     *                      take to start
     * @throws IllegalArgumentException naming the setting, when one of these settings is not valid
     */
    public PluginHost(Path pluginsDirectory, Path dataDirectory, Map<String, String> configuration) {
        Settings settings = new Settings(configuration);
        this.maxUploadBytes = settings.longAtLeast("plugins.max_upload_bytes", DEFAULT_MAX_UPLOAD_BYTES, 1);
        ArchiveLimits limits = new ArchiveLimits(
                settings.longAtLeast("plugins.max_unpacked_bytes", ArchiveLimits.DEFAULT_MAX_UNPACKED_BYTES, 1),
                ArchiveLimits.DEFAULT_MAX_ENTRIES);
        PluginDirectory own = new PluginDirectory(dataDirectory.resolve("plugins"));
        this.storageSettings = new StorageSettings(settings, dataDirectory);
        this.lifecycle = new PluginLifecycle(own, new PluginScan(pluginsDirectory, own, limits), registry, storageSettings, limits,
                settings.longAtLeast("plugins.start_timeout_seconds", DEFAULT_START_TIMEOUT_SECONDS, 1));
    }

    /**
     * Loads and starts every enabled plugin of the installation's and the node's directory.
     * Blocking. A plugin that fails to load is listed as failed; the others load.
     */
    public void start() {
        lifecycle.start();
        LOG.info("Plugins: builders {}, storage targets {}", registry.builderIds(), registry.storageIds());
    }

    /**
     * Registers a builder that is not in a plugin file.
     *
     * @param builder the builder
     */
    public void register(Builder builder) {
        lifecycle.inOrder(() -> {
            if (registry.offersBuilder(builder.id())) {
                LOG.warn("Builder id '{}' is already supplied; ignored", builder.id());
            } else {
                registry.addBuiltIn(builder);
                lifecycle.republish();
            }
            return null;
        });
    }

    /**
     * Registers a storage target that is not in a plugin file.
     *
     * @param factory its factory
     */
    public void register(StorageTargetFactory factory) {
        lifecycle.inOrder(() -> {
            String id = factory.id();
            if (registry.offersStorage(id)) {
                LOG.warn("Storage id '{}' is already supplied; ignored", id);
                return null;
            }
            Map<String, StorageTarget> targets = new LinkedHashMap<>();
            Map<String, String> problems = new LinkedHashMap<>();
            storageSettings.create(id, factory, targets, problems);
            registry.addBuiltIn(targets, problems);
            lifecycle.republish();
            return null;
        });
    }

    /**
     * Adds a listener for installs, upgrades, state changes and removals made through
     * {@link #install(byte[])} and the others; {@link Origin#CLUSTER} changes are not announced.
     *
     * @param listener the listener
     */
    public void addChangeListener(PluginChangeListener listener) {
        lifecycle.addListener(listener);
    }

    /**
     * The largest plugin file {@link #install} accepts.
     *
     * @return bytes
     */
    public long maxUploadBytes() {
        return maxUploadBytes;
    }

    /** Who asks for a change: announced to the listeners, or applied from the cluster's record. */
    public enum Origin {
        /** Through this node's API: the listeners are told. */
        API,
        /** Bringing this node in line with the cluster: nobody is told. */
        CLUSTER
    }

    /**
     * Runs changes with no other plugin change in between, for bringing this node in line with
     * the cluster's record without racing the API.
     *
     * @param changes the changes
     * @param <T> what they return
     * @return what they returned
     */
    public <T> T inOrder(Supplier<T> changes) {
        return lifecycle.inOrder(changes);
    }

    /**
     * Installs (or upgrades to) a plugin from its file's bytes, and starts it: its extensions serve
     * the next deployment. Blocking. Either the plugin is installed and started, or nothing changed.
     * Builds using the version it replaces finish on that version. The file is checked before
     * anything of it is written: entry names, and what it unpacks to.
     *
     * @param content a plugin jar or PF4J zip
     * @return the installed plugin
     * @throws KilnException 422 when the file is not an acceptable plugin, 413 when it unpacks to
     *                       too much, 409 when the same or a newer version is installed
     */
    public PluginInfo install(byte[] content) {
        return install(content, Origin.API);
    }

    /**
     * {@link #install(byte[])}, saying who asks.
     *
     * @param content the file
     * @param origin who asks
     * @return the installed plugin
     */
    public PluginInfo install(byte[] content, Origin origin) {
        return lifecycle.install(content, origin == Origin.API);
    }

    /**
     * Disables a plugin: its extensions are no longer offered; builds using them finish. Persists.
     *
     * @param id the plugin id
     * @return the plugin
     */
    public PluginInfo disable(String id) {
        return disable(id, Origin.API);
    }

    /**
     * {@link #disable(String)}, saying who asks.
     *
     * @param id the plugin id
     * @param origin who asks
     * @return the plugin
     */
    public PluginInfo disable(String id, Origin origin) {
        return lifecycle.disable(id, origin == Origin.API);
    }

    /**
     * Enables a disabled (or failed) plugin and starts it.
     *
     * @param id the plugin id
     * @return the plugin
     * @throws KilnException 422 when it does not start; it stays as it was
     */
    public PluginInfo enable(String id) {
        return enable(id, Origin.API);
    }

    /**
     * {@link #enable(String)}, saying who asks.
     *
     * @param id the plugin id
     * @param origin who asks
     * @return the plugin
     */
    public PluginInfo enable(String id, Origin origin) {
        return lifecycle.enable(id, origin == Origin.API);
    }

    /**
     * Removes a plugin and its file (a plugin of the installation's directory is only marked
     * removed); builds using it finish first.
     *
     * @param id the plugin id
     */
    public void remove(String id) {
        remove(id, Origin.API);
    }

    /**
     * {@link #remove(String)}, saying who asks.
     *
     * @param id the plugin id
     * @param origin who asks
     */
    public void remove(String id, Origin origin) {
        lifecycle.remove(id, origin == Origin.API);
    }

    /**
     * Every installed plugin, and the extensions registered in code as {@link PluginInfo#BUILT_IN}.
     *
     * @return plugins by id
     */
    public List<PluginInfo> plugins() {
        return lifecycle.plugins();
    }

    /**
     * One installed plugin.
     *
     * @param id the plugin id
     * @return the plugin
     * @throws KilnException 404 when not installed
     */
    public PluginInfo plugin(String id) {
        return lifecycle.plugin(id);
    }

    /**
     * Leases a builder for one deployment: its plugin stays loaded until the lease is closed.
     * Takes no lock: an install holds the lifecycle's while a plugin loads, and builds must not wait.
     *
     * @param id the builder id
     * @return the lease, when the builder is offered
     */
    public Optional<BuilderLease> acquireBuilder(String id) {
        return registry.acquireBuilder(id);
    }

    /**
     * Leases every offered builder, to detect which fits; close the ones not chosen.
     *
     * @return leases
     */
    public List<BuilderLease> acquireBuilders() {
        return registry.acquireBuilders();
    }

    /**
     * Why a builder is not offered, for the user.
     *
     * @param id the builder id
     * @return a sentence
     */
    public String builderProblem(String id) {
        return lifecycle.builderProblem(id);
    }

    /**
     * A builder by id.
     *
     * @param id the builder id
     * @return the builder, when installed
     */
    public Optional<Builder> builder(String id) {
        return registry.builder(id);
    }

    /**
     * All builders.
     *
     * @return the builders
     */
    public Collection<Builder> builders() {
        return registry.builders();
    }

    /**
     * A storage target by id.
     *
     * @param id the target id
     * @return the target, when installed and configured
     */
    public Optional<StorageTarget> storage(String id) {
        return registry.storage(id);
    }

    /**
     * Why a storage target is unusable.
     *
     * @param id the target id
     * @return a sentence for the user
     */
    public String storageProblem(String id) {
        return registry.storageProblem(id);
    }

    /**
     * The ids of the installed builders.
     *
     * @return ids
     */
    public List<String> builderIds() {
        return registry.builderIds();
    }

    /**
     * The ids of the usable storage targets.
     *
     * @return ids
     */
    public List<String> storageIds() {
        return registry.storageIds();
    }

    /**
     * Stops every plugin, also those builds still hold. Blocking.
     */
    public void stop() {
        lifecycle.stop();
    }
}
