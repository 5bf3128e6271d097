package dev.kiln.core.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.KilnException;
import dev.kiln.core.plugins.PluginChangeListener;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.plugins.PluginInfo;
import dev.kiln.core.store.PluginFileStore;
import dev.kiln.core.store.PluginFileStore.PluginFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Makes every node run the plugins installed through any node's API. A change made on this node is
 * recorded in PostgreSQL with the plugin's file and announced on the event bus; every node (and
 * every node that joins later, at start-up) brings its plugin host in line with the record.
 * After any change the node's capabilities are probed again, so it claims work for its new builders.
 */
public final class PluginSync implements PluginChangeListener {

    /** Published (no body) when the recorded plugins change. */
    public static final String CHANGED_ADDRESS = "kiln.plugins.changed";

    private static final Logger LOG = LoggerFactory.getLogger(PluginSync.class);

    private final Vertx vertx;
    private final PluginHost plugins;
    private final PluginFileStore files;
    private final Consumer<NodeCapabilities> capabilitiesChanged;
    // One thread: syncs and re-probes never overlap.
    private final WorkerExecutor worker;

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
        vertx.eventBus().consumer(CHANGED_ADDRESS, message -> sync());
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
        announce(files.installed(plugin.id(), plugin.version(), content));
    }

    @Override
    public void stateChanged(PluginInfo plugin) {
        announce(files.enabled(plugin.id(), !"disabled".equals(plugin.state())));
    }

    @Override
    public void removed(String pluginId, String version) {
        announce(files.removed(pluginId));
    }

    private void announce(Future<Boolean> recorded) {
        recorded.onSuccess(changed -> {
            if (changed) {
                vertx.eventBus().publish(CHANGED_ADDRESS, null);
            }
        }).onFailure(error -> LOG.warn("Could not record a plugin change for the cluster: {}", error.getMessage()));
        reprobe();
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

    private void apply(java.util.List<PluginFile> recorded) {
        Map<String, PluginInfo> local = plugins.plugins().stream()
                .collect(Collectors.toMap(PluginInfo::id, info -> info, (first, second) -> first));
        for (PluginFile file : recorded) {
            PluginInfo current = local.get(file.id());
            try {
                if (file.removed()) {
                    if (current != null) {
                        plugins.remove(file.id());
                    }
                    continue;
                }
                if (current == null || !current.version().equals(file.version())) {
                    plugins.install(file.content());
                    LOG.info("Installed plugin '{}' {} as the cluster has it", file.id(), file.version());
                    current = plugins.plugin(file.id());
                }
                boolean disabled = "disabled".equals(current.state());
                if (file.enabled() && disabled) {
                    plugins.enable(file.id());
                } else if (!file.enabled() && !disabled) {
                    plugins.disable(file.id());
                }
            } catch (KilnException | IllegalStateException e) {
                LOG.warn("Plugin '{}' {} from the cluster cannot be used on this node: {}", file.id(), file.version(), e.getMessage());
            }
        }
    }

    private Future<Void> reprobe() {
        return worker.executeBlocking(() -> NodeCapabilities.probe(plugins), true)
                .onSuccess(capabilitiesChanged::accept)
                .mapEmpty();
    }
}
