package dev.kiln.plugin.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StoredArtifact;
import dev.kiln.plugin.api.StoredFile;

/**
 * Keeps each artifact as a directory. A store writes into a temporary directory and renames it
 * into place, so a reader sees the old files or the new ones, never a mix.
 */
final class LocalStorageTarget implements StorageTarget {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");

    private final Path root;

    LocalStorageTarget(Path root) {
        this.root = root;
    }

    @Override
    public StoredArtifact store(String artifactKey, Path directory) throws StorageException {
        Path target = keyDirectory(artifactKey);
        Path staging = root.resolve(".staging").resolve(UUID.randomUUID().toString());
        try {
            Path source = directory.toRealPath();
            Files.createDirectories(staging);
            long[] totals = new long[2];
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                    Files.createDirectories(staging.resolve(source.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    // Symbolic links are not followed: a build cannot publish files from outside its output.
                    if (attributes.isRegularFile()) {
                        Files.copy(file, staging.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                        totals[0]++;
                        totals[1] += attributes.size();
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            Files.createDirectories(target.getParent());
            Path old = null;
            if (Files.exists(target)) {
                old = root.resolve(".staging").resolve(UUID.randomUUID().toString());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
            return new StoredArtifact(totals[0], totals[1]);
        } catch (IOException | UncheckedIOException e) {
            deleteTree(staging);
            throw new StorageException("could not store files under " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<StoredFile> open(String artifactKey, String path) throws StorageException {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) {
                return Optional.empty();
            }
        }
        Path base = keyDirectory(artifactKey);
        Path file = base.resolve(path).normalize();
        if (!file.startsWith(base) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            long size = Files.size(file);
            return Optional.of(new LocalFile(file, size));
        } catch (IOException e) {
            // Deleted between the check and now.
            return Optional.empty();
        }
    }

    @Override
    public void delete(String artifactKey) throws StorageException {
        Path target = keyDirectory(artifactKey);
        try {
            if (Files.exists(target)) {
                Path doomed = root.resolve(".staging").resolve(UUID.randomUUID().toString());
                Files.createDirectories(doomed.getParent());
                Files.move(target, doomed, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(doomed);
            }
        } catch (IOException e) {
            throw new StorageException("could not delete " + target + ": " + e.getMessage(), e);
        }
    }

    private Path keyDirectory(String artifactKey) throws StorageException {
        if (artifactKey == null || !KEY.matcher(artifactKey).matches() || artifactKey.contains("..")) {
            throw new StorageException("invalid artifact key '" + artifactKey + "'");
        }
        return root.resolve(artifactKey);
    }

    private record LocalFile(Path path, long size) implements StoredFile {
        @Override
        public Optional<Path> localPath() {
            return Optional.of(path);
        }

        @Override
        public InputStream openStream() throws IOException {
            return Files.newInputStream(path);
        }
    }

    private static void deleteTree(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // Leftovers under .staging are harmless.
        }
    }
}
