package dev.kiln.core.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;
import dev.kiln.plugin.api.StoredArtifact;
import dev.kiln.plugin.api.StoredFile;

/**
 * A storage target that keeps artifacts in memory; core's tests cannot load the real plugins,
 * which are built after core. Registered as {@code local} so projects need no storage setting.
 */
public final class FakeStorage implements StorageTargetFactory, StorageTarget {

    private final Map<String, Map<String, byte[]>> artifacts = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "local";
    }

    @Override
    public StorageTarget create(StorageContext context) {
        return this;
    }

    @Override
    public StoredArtifact store(String artifactKey, Path directory) {
        Map<String, byte[]> files = new ConcurrentHashMap<>();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.filter(Files::isRegularFile).forEach(file -> {
                try {
                    files.put(directory.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        artifacts.put(artifactKey, files);
        return new StoredArtifact(files.size(), files.values().stream().mapToLong(bytes -> bytes.length).sum());
    }

    @Override
    public Optional<StoredFile> open(String artifactKey, String path) {
        byte[] content = artifacts.getOrDefault(artifactKey, Map.of()).get(path);
        if (content == null) {
            return Optional.empty();
        }
        return Optional.of(new StoredFile() {
            @Override
            public long size() {
                return content.length;
            }

            @Override
            public InputStream openStream() {
                return new ByteArrayInputStream(content);
            }
        });
    }

    @Override
    public void delete(String artifactKey) {
        artifacts.remove(artifactKey);
    }

    /**
     * Whether an artifact is stored.
     *
     * @param artifactKey the key
     * @return true when present
     */
    public boolean has(String artifactKey) {
        return artifacts.containsKey(artifactKey);
    }
}
