package dev.kiln.core.plugins;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StoredArtifact;
import dev.kiln.plugin.api.StoredFile;

/**
 * A plugin's storage target that keeps its plugin loaded while a call, or a stream it opened, is
 * in progress: a request that found the target just before an upgrade or disable finishes on it,
 * instead of meeting a closed class loader.
 */
final class LeasedStorage implements StorageTarget {

    private final String id;
    private final StorageTarget target;
    private final LoadedPlugin owner;

    LeasedStorage(String id, StorageTarget target, LoadedPlugin owner) {
        this.id = id;
        this.target = target;
        this.owner = owner;
    }

    @Override
    public StoredArtifact store(String artifactKey, Path directory) throws StorageException {
        lease();
        try {
            return target.store(artifactKey, directory);
        } finally {
            owner.release();
        }
    }

    @Override
    public Optional<StoredFile> open(String artifactKey, String path) throws StorageException {
        lease();
        try {
            return target.open(artifactKey, path).map(LeasedFile::new);
        } finally {
            owner.release();
        }
    }

    @Override
    public void delete(String artifactKey) throws StorageException {
        lease();
        try {
            target.delete(artifactKey);
        } finally {
            owner.release();
        }
    }

    private void lease() throws StorageException {
        if (!owner.acquireUnlessUnloaded()) {
            throw new StorageException("storage target '" + id + "' was unloaded (its plugin was replaced, disabled or removed)");
        }
    }

    private final class LeasedFile implements StoredFile {
        private final StoredFile file;

        LeasedFile(StoredFile file) {
            this.file = file;
        }

        @Override
        public long size() {
            return file.size();
        }

        @Override
        public Optional<Path> localPath() {
            return file.localPath();
        }

        @Override
        public InputStream openStream() throws IOException {
            try {
                lease();
            } catch (StorageException e) {
                throw new IOException(e.getMessage(), e);
            }
            InputStream in;
            try {
                in = file.openStream();
            } catch (IOException | RuntimeException e) {
                owner.release();
                throw e;
            }
            AtomicBoolean closed = new AtomicBoolean();
            return new FilterInputStream(in) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        if (closed.compareAndSet(false, true)) {
                            owner.release();
                        }
                    }
                }
            };
        }
    }
}
