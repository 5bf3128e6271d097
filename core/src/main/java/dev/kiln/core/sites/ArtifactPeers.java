package dev.kiln.core.sites;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.SiteStore.ServedDeployment;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StoredFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * Files of node-local storage ({@code local}) travel between nodes over the cluster's event bus:
 * every node answers for the files its storage holds, and a node serving a deployment built
 * elsewhere asks the node that built it and keeps a copy under {@code <data dir>/site-copies}.
 * When that node does not answer (stopped, removed), any node holding a whole copy does: each
 * listens at {@link #HOLDERS_PREFIX} and the deployment's key ({@link SiteCopies}). A deployment's
 * manifest (its files' paths and sizes) is answered the same way.
 * The event bus is the cluster's own channel (nodes joined with the cluster's name and address),
 * so a worker without HTTP answers too.
 */
final class ArtifactPeers {

    /** Followed by a node id: that node's file server. */
    static final String ADDRESS_PREFIX = dev.kiln.core.EventBusAddresses.SITE_FILES_PREFIX;
    /** Followed by an artifact key: every node holding a whole copy of that deployment. */
    static final String HOLDERS_PREFIX = dev.kiln.core.EventBusAddresses.SITE_HOLDERS_PREFIX;
    /** Asks for a deployment's manifest rather than a file. */
    static final String MANIFEST = "manifest";
    private static final String NODE_LOCAL_STORAGE = "local";
    private static final int CHUNK = 4 * 1024 * 1024;
    private static final long TIMEOUT_MS = 30_000;
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactPeers.class);

    private final Vertx vertx;
    private final PluginHost plugins;
    private final String nodeId;
    private final Path copies;
    private final Path manifests;
    private MessageConsumer<JsonObject> consumer;

    ArtifactPeers(Vertx vertx, PluginHost plugins, String nodeId, Path copies) {
        this.vertx = vertx;
        this.plugins = plugins;
        this.nodeId = nodeId;
        this.copies = copies;
        this.manifests = SiteCopies.manifestsIn(copies.getParent());
    }

    /** Starts answering other nodes' requests for this node's files. */
    Future<Void> start() {
        consumer = vertx.eventBus().consumer(ADDRESS_PREFIX + nodeId, this::answer);
        return consumer.completion();
    }

    Future<Void> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    /** Whether a file missing here may exist on the node that built the deployment. */
    boolean mayHaveElsewhere(ServedDeployment deployment) {
        return NODE_LOCAL_STORAGE.equals(deployment.storage()) && deployment.node() != null && !deployment.node().equals(nodeId);
    }

    /**
     * This node's copy of a file, fetched from the node that built the deployment when missing.
     *
     * @param deployment the deployment
     * @param path the path inside it
     * @return the local copy, or empty when the deployment has no such file
     */
    Future<Optional<Path>> fetch(ServedDeployment deployment, String path) {
        Path copy = copies.resolve(deployment.artifactKey()).resolve(path).normalize();
        if (!copy.startsWith(copies)) {
            return Future.succeededFuture(Optional.empty());
        }
        return vertx.executeBlocking(() -> Files.isRegularFile(copy), false).compose(present -> {
            if (present) {
                return Future.succeededFuture(Optional.of(copy));
            }
            Path partial = copy.resolveSibling(copy.getFileName() + "." + UUID.randomUUID() + ".part");
            return fetchChunks(ADDRESS_PREFIX + deployment.node(), deployment, path, partial, 0)
                    .recover(error -> {
                        // The node that built it is gone or failing: a node holding a copy answers.
                        LOG.debug("Asking the holders of {} for {}: {}", deployment.artifactKey(), path, error.getMessage());
                        return vertx.executeBlocking(() -> Files.deleteIfExists(partial), false)
                                .compose(deleted -> fetchChunks(HOLDERS_PREFIX + deployment.artifactKey(), deployment, path, partial, 0));
                    })
                    .compose(found -> vertx.executeBlocking(() -> {
                        if (!found) {
                            Files.deleteIfExists(partial);
                            return Optional.<Path>empty();
                        }
                        Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                        LOG.debug("Copied {} of deployment {} from node {}", path, deployment.deploymentId(), deployment.node());
                        return Optional.of(copy);
                    }, false))
                    .onFailure(error -> vertx.executeBlocking(() -> Files.deleteIfExists(partial), false));
        });
    }

    /**
     * A deployment's manifest, from the node that built it or else from a node holding a copy.
     *
     * @param deployment the deployment
     * @return {@code {files: [{path, size}]}}; fails when no node has it
     */
    Future<JsonObject> manifest(ServedDeployment deployment) {
        JsonObject request = new JsonObject().put("op", MANIFEST).put("key", deployment.artifactKey());
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);
        return vertx.eventBus().<JsonObject>request(ADDRESS_PREFIX + deployment.node(), request, options)
                .recover(error -> vertx.eventBus().<JsonObject>request(HOLDERS_PREFIX + deployment.artifactKey(), request, options))
                .map(Message::body);
    }

    private Future<Boolean> fetchChunks(String address, ServedDeployment deployment, String path, Path partial, long offset) {
        JsonObject request = new JsonObject().put("storage", deployment.storage()).put("key", deployment.artifactKey())
                .put("path", path).put("offset", offset);
        return vertx.eventBus().<Buffer>request(address, request, new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
                .transform(reply -> {
                    if (reply.failed()) {
                        if (reply.cause() instanceof ReplyException refused && refused.failureCode() == 404) {
                            return Future.succeededFuture(false);
                        }
                        return Future.failedFuture(new IOException(address + " did not send " + path + " of deployment "
                                + deployment.deploymentId() + ": " + reply.cause().getMessage(), reply.cause()));
                    }
                    Buffer chunk = reply.result().body();
                    long size = Long.parseLong(reply.result().headers().get("size"));
                    return vertx.executeBlocking(() -> {
                        Files.createDirectories(partial.getParent());
                        try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                            out.write(chunk.getBytes());
                        }
                        return offset + chunk.length();
                    }, false).compose(next -> next >= size || chunk.length() == 0 ? Future.succeededFuture(true)
                            : fetchChunks(address, deployment, path, partial, next));
                });
    }

    /** Answers a request for a file (or a manifest) from this node's storage, else from its copy. */
    void answer(Message<JsonObject> message) {
        JsonObject request = message.body();
        String key = request.getString("key", "");
        if (MANIFEST.equals(request.getString("op"))) {
            vertx.executeBlocking(() -> SiteCopies.readManifest(manifests, key), false).onComplete(result -> {
                if (result.succeeded() && result.result().isPresent()) {
                    message.reply(result.result().get());
                } else {
                    message.fail(404, "no manifest of " + key + " here");
                }
            });
            return;
        }
        String path = request.getString("path", "");
        long offset = request.getLong("offset", 0L);
        Optional<StorageTarget> storage = plugins.storage(request.getString("storage", ""));
        Path copy;
        try {
            copy = copies.resolve(key).resolve(path).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            message.fail(404, "no such file");
            return;
        }
        if (offset < 0 || !copy.startsWith(copies) || copy.equals(copies)) {
            message.fail(404, "no such file");
            return;
        }
        vertx.executeBlocking(() -> {
            Optional<StoredFile> file = storage.isPresent() ? storage.get().open(key, path) : Optional.empty();
            Optional<Path> local;
            long size;
            if (file.isPresent()) {
                local = file.get().localPath();
                size = file.get().size();
            } else if (Files.isRegularFile(copy)) {
                local = Optional.of(copy);
                size = Files.size(copy);
            } else {
                return null;
            }
            int length = (int) Math.max(0, Math.min(CHUNK, size - offset));
            byte[] bytes;
            if (local.isPresent()) {
                try (FileChannel channel = FileChannel.open(local.get(), StandardOpenOption.READ)) {
                    ByteBuffer buffer = ByteBuffer.allocate(length);
                    while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
                        // keep reading
                    }
                    bytes = buffer.array();
                }
            } else {
                try (InputStream in = file.get().openStream()) {
                    in.skipNBytes(offset);
                    bytes = in.readNBytes(length);
                }
            }
            return new Object[] {size, Buffer.buffer(bytes)};
        }, false).onComplete(result -> {
            if (result.failed()) {
                message.fail(500, String.valueOf(result.cause().getMessage()));
            } else if (result.result() == null) {
                message.fail(404, "no such file");
            } else {
                message.reply(result.result()[1], new DeliveryOptions().addHeader("size", result.result()[0].toString()));
            }
        });
    }
}
