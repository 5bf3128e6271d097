package dev.kiln.core.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.EventBusAddresses;
import dev.kiln.core.KilnException;
import dev.kiln.core.plugins.PluginChangeListener;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.plugins.PluginHost.Origin;
import dev.kiln.core.plugins.PluginInfo;
import dev.kiln.core.plugins.PluginState;
import dev.kiln.core.store.PluginFileStore;
import dev.kiln.core.store.PluginFileStore.PluginFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Makes every node run the plugins installed through any node's API. A change made on this node is
 * recorded in PostgreSQL (with the plugin's file) under the next revision and announced on the
 * event bus; every node (and every node that joins later, at start-up) applies the recorded changes
 * it has not seen, oldest first.
 *
 * <p>Ordering: a node applies a record only when its revision is newer than the last one it
 * applied or recorded for that plugin, and never while its own change to that plugin is still
 * being recorded; the check and the change happen under the plugin host's lock. So a read made
 * before a local delete cannot reinstall the plugin, and changes applied from the cluster are not
 * recorded again. After any change the node's capabilities are probed again.
 */
public final class PluginSync implements PluginChangeListener {

    private static final Logger LOG = LoggerFactory.getLogger(PluginSync.class);

    private final Vertx vertx;
    private final PluginHost plugins;
    private final PluginFileStore files;
    private final Consumer<NodeCapabilities> capabilitiesChanged;
    // One thread: syncs and re-probes never overlap.
    private final WorkerExecutor worker;
    private final Map<String, Long> appliedRevisions = new ConcurrentHashMap<>();
    private final Map<String, Integer> recording = new ConcurrentHashMap<>();
    // This node's records are written one after another, in the order the changes were made.
    private Future<?> lastRecord = Future.succeededFuture();

    /**
     * A sync for this node.
     *
     * @param vertx the Vert.x instance
     * @param plugins this node's plugin host
     * @param files the recorded plugins
     * @param capabilitiesChanged told the node's capabilities after each change
     */
    public PluginSync(Vertx vertx, PluginHost plugins, PluginFileStore files, Consumer<NodeCapabilities> capabilitiesChanged) {
        this.vertx = vertx;
        this.plugins = plugins;
        this.files = files;
        this.capabilitiesChanged = capabilitiesChanged;
        this.worker = vertx.createSharedWorkerExecutor("kiln-plugin-sync", 1);
    }

    /**
     * Applies the recorded plugins now, then follows announcements.
     *
     * @return done when this node runs the recorded plugins
     */
    public Future<Void> start() {
        plugins.addChangeListener(this);
        vertx.eventBus().consumer(EventBusAddresses.PLUGINS_CHANGED, message -> sync());
        return sync();
    }

    @Override
    public void installed(PluginInfo plugin, Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            LOG.warn("Could not read {} to share plugin '{}' with the cluster: {}", file, plugin.id(), e.getMessage());
            return;
        }
        record(plugin.id(), () -> files.installed(plugin.id(), plugin.version(), content));
    }

    @Override
    public void stateChanged(PluginInfo plugin) {
        record(plugin.id(), () -> files.enabled(plugin.id(), plugin.version(), plugin.state() != PluginState.DISABLED));
    }

    @Override
    public void removed(String pluginId, String version) {
        record(pluginId, () -> files.removed(pluginId, version));
    }

    /** Called under the host's lock, right after the change: marks the plugin as being recorded first. */
    private void record(String pluginId, Supplier<Future<Long>> write) {
        recording.merge(pluginId, 1, Integer::sum);
        Future<Long> recorded;
        synchronized (this) {
            recorded = lastRecord.transform(previous -> write.get());
            lastRecord = recorded;
        }
        recorded.onComplete(result -> {
            if (result.succeeded()) {
                appliedRevisions.merge(pluginId, result.result(), Math::max);
                vertx.eventBus().publish(EventBusAddresses.PLUGINS_CHANGED, null);
            } else {
                LOG.warn("Could not record a change of plugin '{}' for the cluster: {}", pluginId, result.cause().getMessage());
            }
            recording.computeIfPresent(pluginId, (id, count) -> count == 1 ? null : count - 1);
            reprobe();
        });
    }

    private Future<Void> sync() {
        return files.all()
                .compose(recorded -> worker.executeBlocking(() -> {
                    apply(recorded);
                    return null;
                }, true))
                .compose(done -> reprobe())
                .onFailure(error -> LOG.warn("Could not bring plugins in line with the cluster: {}", error.getMessage()));
    }

    private void apply(List<PluginFile> recorded) {
        for (PluginFile file : recorded) {
            plugins.inOrder(() -> {
                applyOne(file);
                return null;
            });
        }
    }

    private void applyOne(PluginFile file) {
        String id = file.id();
        if (recording.containsKey(id) || file.revision() <= appliedRevisions.getOrDefault(id, -1L)) {
            return;
        }
        try {
            PluginInfo current = plugins.plugins().stream().filter(info -> info.id().equals(id)).findFirst().orElse(null);
            if (file.removed()) {
                if (current != null) {
                    plugins.remove(id, Origin.CLUSTER);
                    LOG.info("Removed plugin '{}' as the cluster has it", id);
                }
            } else {
                if (!file.bundled() && (current == null || !current.version().equals(file.version()))) {
                    plugins.install(file.content(), Origin.CLUSTER);
                    LOG.info("Installed plugin '{}' {} as the cluster has it", id, file.version());
                    current = plugins.plugin(id);
                }
                if (current != null) {
                    boolean disabled = current.state() == PluginState.DISABLED;
                    if (file.enabled() && disabled) {
                        plugins.enable(id, Origin.CLUSTER);
                    } else if (!file.enabled() && !disabled) {
                        plugins.disable(id, Origin.CLUSTER);
                    }
                }
            }
        } catch (KilnException | IllegalStateException e) {
            LOG.warn("Plugin '{}' {} from the cluster cannot be used on this node: {}", id, file.version(), e.getMessage());
        }
        // Applied or not usable here: either way, not tried again until the next change.
        appliedRevisions.merge(id, file.revision(), Math::max);
    }

    private Future<Void> reprobe() {
        return worker.executeBlocking(() -> NodeCapabilities.probe(plugins), true)
                .onSuccess(capabilitiesChanged::accept)
                .mapEmpty();
    }
}
