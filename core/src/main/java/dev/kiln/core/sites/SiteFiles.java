package dev.kiln.core.sites;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.SiteStore.ServedDeployment;
import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StoredFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * Finds deployments' files for serving. A deployment's files never change, so what was found is
 * remembered (until the site directory reports a change, such as a prune). Storage that keeps
 * files on this node's disk is asked on the event loop (a {@code stat}) and small files are held
 * in memory; other storage is asked on a worker. Files of node-local storage that this node lacks
 * come from the node that built the deployment ({@link ArtifactPeers}).
 */
final class SiteFiles {

    /** Files up to this size are held in memory once read. */
    static final int SMALL_FILE = 64 * 1024;
    private static final long MEMORY_BUDGET = 128L * 1024 * 1024;
    private static final int MAX_ENTRIES = 200_000;
    private static final int MAX_RULES_FILE = 1024 * 1024;

    /** The rules a deployment's output carries. */
    record Rules(Redirects redirects, HeaderRules headers) {
        static final Rules NONE = new Rules(Redirects.NONE, HeaderRules.NONE);
    }

    private final Vertx vertx;
    private final PluginHost plugins;
    private final ArtifactPeers peers;
    private final AsyncCache<String, Optional<SiteFile>> found = new AsyncCache<>(MAX_ENTRIES);
    private final AsyncCache<Long, Rules> rules = new AsyncCache<>(MAX_ENTRIES);
    private final Set<String> localStorages = ConcurrentHashMap.newKeySet();
    private final AtomicLong memoryUsed = new AtomicLong();
    private final AsyncCache<String, Optional<SiteFile>> compressed = new AsyncCache<>(MAX_ENTRIES);
    private final Path compressedDirectory;

    SiteFiles(Vertx vertx, PluginHost plugins, ArtifactPeers peers, Path compressedDirectory) {
        this.vertx = vertx;
        this.plugins = plugins;
        this.peers = peers;
        this.compressedDirectory = compressedDirectory;
    }

    /**
     * The gzip of a file too large to hold in memory, made once (on a worker) and kept on disk
     * next to the node's other copies, so that it is sent with zero copy afterwards.
     *
     * @param deployment the deployment
     * @param file the file
     * @return the compressed file; empty when it could not be made (then the file goes uncompressed)
     */
    Future<Optional<SiteFile>> gzipped(ServedDeployment deployment, SiteFile file) {
        String key = deployment.deploymentId() + "\0" + file.path();
        return compressed.get(key, ignored -> vertx.executeBlocking(() -> {
            Path target = compressedDirectory.resolve(deployment.artifactKey()).resolve(file.path() + ".gz").normalize();
            if (!target.startsWith(compressedDirectory)) {
                return Optional.<SiteFile>empty();
            }
            if (!Files.isRegularFile(target)) {
                Files.createDirectories(target.getParent());
                Path partial = target.resolveSibling(target.getFileName() + "." + java.util.UUID.randomUUID() + ".part");
                try (InputStream in = file.local() != null ? Files.newInputStream(file.local()) : file.stored().openStream();
                     java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(partial), 64 * 1024)) {
                    in.transferTo(out);
                } catch (IOException e) {
                    Files.deleteIfExists(partial);
                    throw e;
                }
                Files.move(partial, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return Optional.of(new SiteFile(file.path() + ".gz", Files.size(target), target, null, null));
        }, false).recover(error -> Future.succeededFuture(Optional.empty())));
    }

    /** Forgets everything found: the files some deployment has may be gone. */
    void clear() {
        found.clear();
        rules.clear();
        compressed.clear();
        memoryUsed.set(0);
    }

    /**
     * Finds one file of a deployment.
     *
     * @param deployment the deployment
     * @param path the path inside it, without a leading slash
     * @return the file, or empty when the deployment has no such file
     */
    Future<Optional<SiteFile>> open(ServedDeployment deployment, String path) {
        // The target's identity is part of the key: a plugin replaced or re-enabled brings a new one.
        String key = plugins.storage(deployment.storage()).map(System::identityHashCode).orElse(0) + "\0"
                + deployment.deploymentId() + "\0" + path;
        return found.get(key, ignored -> lookUp(deployment, path));
    }

    /**
     * The deployment's {@code _redirects} and {@code _headers}, parsed once.
     *
     * @param deployment the deployment
     * @return the rules; none when the files are absent
     */
    Future<Rules> rules(ServedDeployment deployment) {
        return rules.get(deployment.deploymentId(), id -> text(deployment, "_redirects")
                .compose(redirects -> text(deployment, "_headers")
                        .map(headers -> new Rules(redirects.map(Redirects::parse).orElse(Redirects.NONE),
                                headers.map(HeaderRules::parse).orElse(HeaderRules.NONE)))));
    }

    private Future<Optional<String>> text(ServedDeployment deployment, String path) {
        return open(deployment, path).compose(file -> {
            if (file.isEmpty() || file.get().size() > MAX_RULES_FILE) {
                return Future.succeededFuture(Optional.empty());
            }
            SiteFile rulesFile = file.get();
            if (rulesFile.bytes() != null) {
                return Future.succeededFuture(Optional.of(rulesFile.bytes().toString(StandardCharsets.UTF_8)));
            }
            return vertx.executeBlocking(() -> {
                try (InputStream in = rulesFile.local() != null ? Files.newInputStream(rulesFile.local()) : rulesFile.stored().openStream()) {
                    return Optional.of(new String(in.readNBytes(MAX_RULES_FILE), StandardCharsets.UTF_8));
                }
            }, false);
        });
    }

    private Future<Optional<SiteFile>> lookUp(ServedDeployment deployment, String path) {
        Optional<StorageTarget> storage = plugins.storage(deployment.storage());
        if (storage.isEmpty()) {
            return Future.failedFuture(new StorageException(plugins.storageProblem(deployment.storage())));
        }
        Future<Optional<SiteFile>> own;
        if (localStorages.contains(deployment.storage())) {
            // A stat of a local file is quicker than a hop to a worker and back.
            try {
                own = Future.succeededFuture(openOwn(storage.get(), deployment, path));
            } catch (StorageException | RuntimeException e) {
                own = Future.failedFuture(e);
            }
        } else {
            own = vertx.executeBlocking(() -> openOwn(storage.get(), deployment, path), false);
        }
        return own.compose(file -> file.isPresent() || !peers.mayHaveElsewhere(deployment) ? Future.succeededFuture(file)
                : peers.fetch(deployment, path).map(copied -> copied.map(local -> localFile(path, local))));
    }

    private Optional<SiteFile> openOwn(StorageTarget storage, ServedDeployment deployment, String path) throws StorageException {
        Optional<StoredFile> stored = storage.open(deployment.artifactKey(), path);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        StoredFile file = stored.get();
        Optional<Path> local = file.localPath();
        if (local.isEmpty()) {
            // Small remote files are read once: the next request needs no round trip to the storage.
            Buffer bytes = null;
            if (file.size() <= SMALL_FILE && memoryUsed.addAndGet(file.size()) <= MEMORY_BUDGET) {
                try (InputStream in = file.openStream()) {
                    bytes = Buffer.buffer(in.readAllBytes());
                } catch (IOException e) {
                    throw new StorageException("could not read " + path + ": " + e.getMessage(), e);
                }
            }
            return Optional.of(new SiteFile(path, bytes != null ? bytes.length() : file.size(), null, file, bytes));
        }
        localStorages.add(deployment.storage());
        return Optional.of(localFile(path, local.get(), file.size(), file));
    }

    private SiteFile localFile(String path, Path local) {
        try {
            return localFile(path, local, Files.size(local), null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private SiteFile localFile(String path, Path local, long size, StoredFile stored) {
        Buffer bytes = null;
        if (size <= SMALL_FILE && memoryUsed.addAndGet(size) <= MEMORY_BUDGET) {
            try {
                bytes = Buffer.buffer(Files.readAllBytes(local));
            } catch (IOException e) {
                bytes = null;
            }
        }
        return new SiteFile(path, bytes != null ? bytes.length() : size, local, stored, bytes);
    }
}
