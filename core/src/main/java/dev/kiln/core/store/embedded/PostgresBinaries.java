package dev.kiln.core.store.embedded;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

import dev.kiln.core.FileTrees;

/**
 * The PostgreSQL programs, unpacked once per version from the archive zonky bundles, into the server's own
 * directory: nothing of Kiln lives outside its data directory.
 */
final class PostgresBinaries {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
    private static final String COMPLETE = ".complete";

    private PostgresBinaries() {
    }

    /**
     * Unpacks the binaries unless they are there. Called under the server's lock, so no one else unpacks at once.
     *
     * @param directory the server's directory
     * @return the installation, with {@code bin/postgres} and {@code bin/initdb}
     */
    static Path install(Path directory) throws IOException {
        byte[] archive = archive();
        String name = "pg-" + digest(archive);
        Path target = directory.resolve(name);
        if (Files.exists(target.resolve(COMPLETE))) {
            return target;
        }
        // an earlier version, or an unpacking cut short
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (entry.getFileName().toString().startsWith("pg-") && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    FileTrees.delete(entry);
                }
            }
        }
        LOG.info("Unpacking PostgreSQL into {}", target);
        Path partial = directory.resolve(name + ".partial");
        FileTrees.delete(partial);
        Files.createDirectory(partial);
        extract(archive, partial);
        Files.createFile(partial.resolve(COMPLETE));
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    // Read straight from zonky's binaries jar: its own resolver writes a detection script into java.io.tmpdir.
    private static byte[] archive() throws IOException {
        String base = "postgres-" + system() + "-" + architecture();
        List<String> names = Files.exists(Path.of("/etc/alpine-release"))
                ? List.of(base + "-alpine_linux.txz", base + ".txz") : List.of(base + ".txz");
        for (String name : names) {
            try (InputStream in = PostgresBinaries.class.getResourceAsStream("/" + name)) {
                if (in != null) {
                    return in.readAllBytes();
                }
            }
        }
        throw new IllegalStateException("This build of Kiln bundles no PostgreSQL for " + base + " (no " + names.get(0)
                + " on the classpath); configure an external database with --database-url");
    }

    private static String digest(byte[] archive) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String system() {
        String os = System.getProperty("os.name", "");
        return os.startsWith("Mac") ? "darwin" : os.startsWith("Windows") ? "windows" : "linux";
    }

    private static String architecture() {
        // the naming of zonky's archives
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) ? "x86_64" : arch;
    }

    private static void extract(byte[] txz, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(txz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("Archive entry outside its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createLink(path, target.resolve(entry.getLinkName()).normalize());
                } else if (entry.isFile()) {
                    Files.copy(tar, path);
                    // readable by all, writable by none but the owner, whatever the umask or the archive says
                    Files.setAttribute(path, "unix:mode", (entry.getMode() & 0755) | 0444);
                }
            }
        }
        try (Stream<Path> paths = Files.walk(target)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setAttribute(path, "unix:mode", 0755);
                }
            }
        }
    }
}
