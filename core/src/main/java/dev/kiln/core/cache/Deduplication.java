package dev.kiln.core.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Keeps the identical files of several projects' caches once: each becomes a hard link to one
 * read-only copy owned by Kiln, named by the SHA-256 Kiln computed from its own copy (with
 * {@code -exec} for executables, which keep that bit). Nothing is ever placed into a project's
 * cache that its own build did not write there, so a cache whose names do not prove their content
 * (yarn's, pnpm's) can be shared this way without trusting any build.
 */
final class Deduplication {

    private final Path copies;

    /**
     * Deduplication into a directory of copies.
     *
     * @param copies where the shared copies are kept
     */
    Deduplication(Path copies) {
        this.copies = copies;
    }

    /**
     * Replaces each file of the directories, not yet a link to the shared copy of its content, by a
     * hard link to that copy, making the copy first when the node has none.
     *
     * @param projectCache the project's cache directory for one builder
     * @param directories directories inside it
     * @return how many of the project's files are now links to a shared copy they were not before
     * @throws IOException when the caches cannot be read or written
     */
    int deduplicate(Path projectCache, List<String> directories) throws IOException {
        int linked = 0;
        for (String directory : directories) {
            Path own = projectCache.resolve(directory);
            for (Path file : SharedCache.regularFiles(own)) {
                if (isSharedCopy(file)) {
                    continue;
                }
                // Hashed from Kiln's own copy, never from the build's file, which the build could still change.
                Path incoming = copies.resolve(".incoming-" + UUID.randomUUID());
                Files.createDirectories(incoming.getParent());
                try {
                    Files.copy(file, incoming, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue;
                }
                boolean executable = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                        .contains(PosixFilePermission.OWNER_EXECUTE);
                String hex = sha256(incoming);
                Path shared = copies.resolve(hex.substring(0, 2)).resolve(hex.substring(2) + (executable ? "-exec" : ""));
                if (Files.exists(shared)) {
                    Files.delete(incoming);
                } else {
                    Files.setPosixFilePermissions(incoming, PosixFilePermissions.fromString(executable ? "r-xr-xr-x" : "r--r--r--"));
                    Files.createDirectories(shared.getParent());
                    Files.move(incoming, shared, StandardCopyOption.ATOMIC_MOVE);
                }
                Path replacement = file.resolveSibling(".link-" + UUID.randomUUID());
                Files.createLink(replacement, shared);
                Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                linked++;
            }
        }
        return linked;
    }

    /**
     * Whether a file is already a link to a shared copy: several links, owned by Kiln and read-only.
     * A build, another user, can neither make a file Kiln's nor link one it may not write
     * (Linux's protected hard links), so only the store's copies look like this.
     */
    private static boolean isSharedCopy(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() > 1
                && Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"))
                && Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).stream()
                        .noneMatch(permission -> permission.name().endsWith("_WRITE"));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
