package dev.kiln.core.sites;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.FileTrees;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.SiteStore;
import dev.kiln.core.store.SiteStore.ServedDeployment;
import dev.kiln.plugin.api.StorageException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * This node's copies of deployments, kept in step with the database. Whenever what sites serve
 * changes (and at start), a node:
 * <ul>
 * <li>deletes its copies ({@code site-copies}), gzip copies ({@code site-gzip}) and manifests
 * ({@code site-manifests}) of deployments that were pruned or deleted, also those that went while
 * it was down, and its node-local storage's files of them (a project deleted through another node
 * reaches only that node's storage);</li>
 * <li>copies, in the background and one deployment at a time, every file of each live deployment
 * of node-local storage built on another node, from its manifest, so that the deployment is served
 * here even once the node that built it is gone; a whole copy is then answered to other nodes.</li>
 * </ul>
 * The node that builds a deployment writes its manifest ({@link #writeManifest}).
 */
public final class SiteCopies {

    /** Files one deployment may have, at most, to be copied. */
    static final int MAX_FILES = 100_000;
    /** Bytes one deployment may have, at most, to be copied. */
    static final long MAX_BYTES = 20L * 1024 * 1024 * 1024;
    private static final String NODE_LOCAL_STORAGE = "local";
    private static final Logger LOG = LoggerFactory.getLogger(SiteCopies.class);

    private final Vertx vertx;
    private final SiteStore store;
    private final PluginHost plugins;
    private final String nodeId;
    private final boolean copies;
    private final Path copiesDirectory;
    private final Path gzipDirectory;
    private final Path manifestsDirectory;
    private final ArtifactPeers peers;
    private final Map<String, MessageConsumer<JsonObject>> holding = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean stopped;

    /**
     * Copies kept under a node's data directory.
     *
     * @param vertx the Vert.x instance
     * @param store what is live
     * @param plugins the storage targets
     * @param nodeId this node
     * @param dataDirectory this node's data directory
     * @param copies whether this node copies other nodes' deployments (it serves sites); it cleans up either way
     */
    public SiteCopies(Vertx vertx, SiteStore store, PluginHost plugins, String nodeId, Path dataDirectory, boolean copies) {
        this.vertx = vertx;
        this.store = store;
        this.plugins = plugins;
        this.nodeId = nodeId;
        this.copies = copies;
        this.copiesDirectory = dataDirectory.resolve("site-copies").toAbsolutePath().normalize();
        this.gzipDirectory = dataDirectory.resolve("site-gzip").toAbsolutePath().normalize();
        this.manifestsDirectory = manifestsIn(dataDirectory.toAbsolutePath().normalize());
        this.peers = new ArtifactPeers(vertx, plugins, nodeId, copiesDirectory);
    }

    static Path manifestsIn(Path dataDirectory) {
        return dataDirectory.resolve("site-manifests");
    }

    /**
     * Records the files of a deployment this node built, for the nodes that copy it.
     *
     * @param dataDirectory this node's data directory
     * @param artifactKey the deployment's key
     * @param output the deployment's files
     * @throws IOException when the manifest cannot be written
     */
    public static void writeManifest(Path dataDirectory, String artifactKey, Path output) throws IOException {
        JsonArray files = new JsonArray();
        try (Stream<Path> paths = Files.walk(output)) {
            for (Path file : (Iterable<Path>) paths::iterator) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(new JsonObject().put("path", output.relativize(file).toString().replace('\\', '/')).put("size", Files.size(file)));
                }
            }
        }
        writeAtomically(manifestsIn(dataDirectory.toAbsolutePath().normalize()), artifactKey, new JsonObject().put("files", files));
    }

    static Optional<JsonObject> readManifest(Path manifests, String artifactKey) throws IOException {
        Path file = manifests.resolve(artifactKey + ".json").normalize();
        if (!file.startsWith(manifests) || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
    }

    private static void writeAtomically(Path manifests, String artifactKey, JsonObject manifest) throws IOException {
        Path file = manifests.resolve(artifactKey + ".json").normalize();
        if (!file.startsWith(manifests)) {
            throw new IOException("not a key: " + artifactKey);
        }
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".part");
        Files.writeString(partial, manifest.encode(), StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Starts answering for the copies this node holds, and brings them in step with the database.
     *
     * @return done once answering; the clean-up and copying go on in the background
     */
    public Future<Void> start() {
        reconcileSoon();
        return Future.succeededFuture();
    }

    /** Stops answering and copying. */
    public Future<Void> stop() {
        stopped = true;
        List<Future<Void>> unregistered = new ArrayList<>();
        holding.values().forEach(consumer -> unregistered.add(consumer.unregister()));
        holding.clear();
        return Future.join(unregistered).mapEmpty();
    }

    /** Brings the copies in step with the database soon, once at a time; call on every change of what sites serve. */
    public void reconcileSoon() {
        if (stopped) {
            return;
        }
        again.set(true);
        if (running.compareAndSet(false, true)) {
            again.set(false);
            reconcile().onComplete(done -> {
                if (done.failed() && !stopped) {
                    LOG.warn("Could not bring this node's site copies in step: {}", done.cause().getMessage());
                }
                running.set(false);
                if (again.get()) {
                    reconcileSoon();
                }
            });
        }
    }

    private Future<Void> reconcile() {
        return vertx.executeBlocking(this::keysOnDisk, false)
                .compose(keys -> keys.isEmpty() ? Future.succeededFuture(Set.<Long>of())
                        : store.withFiles(keys.stream().map(SiteCopies::deploymentId).filter(id -> id >= 0).distinct().toList())
                                .compose(live -> forget(keys, live)))
                .compose(ignored -> copies ? store.liveBuiltElsewhere(NODE_LOCAL_STORAGE, nodeId) : Future.succeededFuture(List.of()))
                .compose(this::copyMissing);
    }

    /** The artifact keys ({@code slug/id}) this node keeps anything of. */
    private List<String> keysOnDisk() throws IOException {
        Set<String> keys = new java.util.TreeSet<>();
        for (Path root : List.of(copiesDirectory, gzipDirectory, manifestsDirectory)) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> slugs = Files.list(root)) {
                for (Path slug : (Iterable<Path>) slugs::iterator) {
                    if (!Files.isDirectory(slug, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    try (Stream<Path> ids = Files.list(slug)) {
                        ids.forEach(id -> keys.add(slug.getFileName() + "/" + id.getFileName().toString().replaceFirst("\\.json$", "")));
                    }
                }
            }
        }
        return List.copyOf(keys);
    }

    private static long deploymentId(String artifactKey) {
        String last = artifactKey.substring(artifactKey.lastIndexOf('/') + 1);
        return last.isEmpty() || last.length() > 18 || !last.chars().allMatch(Character::isDigit) ? -1 : Long.parseLong(last);
    }

    private Future<Set<Long>> forget(List<String> keys, Set<Long> live) {
        List<String> gone = keys.stream().filter(key -> deploymentId(key) >= 0 && !live.contains(deploymentId(key))).toList();
        gone.forEach(key -> {
            MessageConsumer<JsonObject> consumer = holding.remove(key);
            if (consumer != null) {
                consumer.unregister();
            }
        });
        return vertx.executeBlocking(() -> {
            for (String key : gone) {
                deleteOriginal(key);
                FileTrees.delete(copiesDirectory.resolve(key));
                FileTrees.delete(gzipDirectory.resolve(key));
                Files.deleteIfExists(manifestsDirectory.resolve(key + ".json"));
                LOG.info("Deleted this node's copies of {}: pruned or deleted", key);
            }
            // Holders answer for the whole copies that stay (and what this node built), after a restart too.
            return keys.stream().filter(key -> live.contains(deploymentId(key)) && hasManifest(key)).toList();
        }, false).map(kept -> {
            kept.forEach(this::hold);
            return live;
        });
    }

    /**
     * A project deleted through another node left this node's own files of the deployments it
     * built there: node-local storage is cleaned up by each node (deleting is a no-op where there is nothing).
     */
    private void deleteOriginal(String key) {
        plugins.storage(NODE_LOCAL_STORAGE).ifPresent(storage -> {
            try {
                storage.delete(key);
            } catch (StorageException | RuntimeException e) {
                LOG.warn("Could not delete this node's files of {}: {}", key, e.getMessage());
            }
        });
    }

    private boolean hasManifest(String key) {
        return Files.isRegularFile(manifestsDirectory.resolve(key + ".json"));
    }

    /** Answers for a deployment whose manifest this node has (it built it, or holds a whole copy). */
    private void hold(String key) {
        if (!stopped) {
            holding.computeIfAbsent(key, ignored -> vertx.eventBus().consumer(ArtifactPeers.HOLDERS_PREFIX + key, peers::answer));
        }
    }

    private Future<Void> copyMissing(List<ServedDeployment> live) {
        return vertx.executeBlocking(() -> live.stream().filter(deployment -> !hasManifest(deployment.artifactKey())).toList(), false)
                .compose(missing -> {
                    Future<Void> chain = Future.succeededFuture();
                    for (ServedDeployment deployment : missing) {
                        chain = chain.compose(ignored -> stopped ? Future.succeededFuture() : copy(deployment).recover(error -> {
                            LOG.warn("Could not copy deployment {} built on node {} (its files are fetched one by one when asked): {}",
                                    deployment.deploymentId(), deployment.node(), error.getMessage());
                            return Future.succeededFuture();
                        }));
                    }
                    return chain;
                });
    }

    private Future<Void> copy(ServedDeployment deployment) {
        return peers.manifest(deployment).compose(manifest -> vertx.executeBlocking(() -> {
            List<String> paths = checked(manifest);
            for (String path : paths) {
                if (stopped) {
                    throw new IOException("stopping");
                }
                Optional<Path> copied = peers.fetch(deployment, path).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
                if (copied.isEmpty()) {
                    throw new IOException(path + " is in the manifest, and no node has it");
                }
            }
            writeAtomically(manifestsDirectory, deployment.artifactKey(), manifest);
            LOG.info("Copied deployment {} ({} files), built on node {}", deployment.deploymentId(), paths.size(), deployment.node());
            return deployment.artifactKey();
        }, false)).map(key -> {
            hold(key);
            return null;
        });
    }

    /** The manifest's paths, once every one is a plain relative path and the whole is within the limits. */
    private List<String> checked(JsonObject manifest) throws IOException {
        JsonArray files = manifest.getJsonArray("files");
        if (files == null || files.size() > MAX_FILES) {
            throw new IOException("the manifest lists " + (files == null ? "no" : files.size()) + " files; at most " + MAX_FILES + " are copied");
        }
        List<String> paths = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < files.size(); i++) {
            JsonObject file = files.getJsonObject(i);
            String path = file.getString("path");
            bytes += Math.max(0, file.getLong("size", 0L));
            if (path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0
                    || Stream.of(path.split("/")).anyMatch(segment -> segment.isEmpty() || segment.equals(".") || segment.equals(".."))
                    || !copiesDirectory.resolve(path).normalize().startsWith(copiesDirectory)) {
                throw new IOException("the manifest names a path outside the deployment: " + path);
            }
            paths.add(path);
        }
        if (bytes > MAX_BYTES) {
            throw new IOException("the deployment has " + bytes + " bytes; at most " + MAX_BYTES + " are copied");
        }
        return paths;
    }
}
