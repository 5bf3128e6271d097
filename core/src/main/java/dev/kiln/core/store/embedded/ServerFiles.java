package dev.kiln.core.store.embedded;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The files of one embedded server under its directory: {@code pgdata/} (the cluster), {@code postgres.log},
 * {@code password} (the superuser's), {@code port} (chosen once, kept across restarts), {@code kiln.lock} (held
 * while a server runs) and {@code pg-<digest>/} (the PostgreSQL binaries).
 */
final class ServerFiles {

    static final String CLUSTER = "pgdata";
    static final String LOG_FILE = "postgres.log";
    static final String PASSWORD_FILE = "password";
    static final String PORT_FILE = "port";
    static final String LOCK_FILE = "kiln.lock";

    // Postgres writes little to it (start, stop, errors); rotation only guards against a crash loop filling the disk.
    private static final long LOG_ROTATE_BYTES = 10L * 1024 * 1024;

    private final Path directory;

    private ServerFiles(Path directory) {
        this.directory = directory;
    }

    /**
     * Creates the directory (private to this user) when missing.
     *
     * @param dataDirectory the server's directory
     * @return its files, under the directory's real path: pg_ctl and the leftover-server check compare paths as text
     * @throws IOException when it cannot be created
     */
    static ServerFiles create(Path dataDirectory) throws IOException {
        Path absolute = dataDirectory.toAbsolutePath().normalize();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        createPrivateDirectory(absolute);
        return new ServerFiles(absolute.toRealPath());
    }

    Path directory() {
        return directory;
    }

    Path cluster() {
        return directory.resolve(CLUSTER);
    }

    Path log() {
        return directory.resolve(LOG_FILE);
    }

    Path passwordFile() {
        return directory.resolve(PASSWORD_FILE);
    }

    Path portFile() {
        return directory.resolve(PORT_FILE);
    }

    boolean fresh() {
        return !Files.exists(cluster().resolve("postgresql.conf"));
    }

    /**
     * Takes the directory's lock, so that no second server (in this JVM or another) uses the cluster.
     *
     * @return the channel holding the lock; closing it releases the lock
     * @throws IllegalStateException when someone holds it
     */
    FileChannel lock() throws IOException {
        FileChannel channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw inUse(directory);
        }
        return channel;
    }

    static IllegalStateException inUse(Path directory) {
        return new IllegalStateException("The embedded PostgreSQL data directory " + directory
                + " is already in use by a running Kiln (this process or another); stop it or use another data directory");
    }

    /**
     * The superuser's password: read from its file, or made (and written) for a fresh cluster.
     *
     * @return the password
     * @throws IllegalStateException when an existing cluster's password file is missing
     */
    String password() throws IOException {
        Path file = passwordFile();
        if (Files.exists(file)) {
            String password = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!password.isEmpty()) {
                return password;
            }
        }
        if (!fresh()) {
            throw new IllegalStateException("The embedded PostgreSQL cluster " + cluster() + " exists but its password"
                    + " file " + file + " is missing or empty; restore it, or delete " + cluster() + " to start afresh");
        }
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        // hex needs no escaping in a URI, a pwfile or a shell
        String password = HexFormat.of().formatHex(random);
        writePrivately(file, password);
        return password;
    }

    /**
     * The port: the one asked for (remembered from now on), else the remembered one, else a free one chosen now and
     * remembered, so that other nodes find the server at the same address after every restart.
     *
     * @param requested the port asked for, or 0
     * @return the port
     * @throws IllegalStateException when the port file holds something else than a port
     */
    int port(int requested) throws IOException {
        Path file = portFile();
        if (requested > 0) {
            if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).trim().equals(Integer.toString(requested))) {
                writePrivately(file, Integer.toString(requested));
            }
            return requested;
        }
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            try {
                int port = Integer.parseInt(text);
                if (port > 0 && port < 65536) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalStateException("The embedded PostgreSQL port file " + file + " holds '" + text
                    + "', not a port; write a port into it, delete it to choose a free one, or use --database-port");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        writePrivately(file, Integer.toString(port));
        return port;
    }

    /**
     * Opens the log for appending, rotated when it grew too big.
     *
     * @return the log
     */
    Path rotatedLog() throws IOException {
        Path log = log();
        if (Files.exists(log) && Files.size(log) > LOG_ROTATE_BYTES) {
            Files.move(log, log.resolveSibling(LOG_FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(log)) {
            Files.createFile(log, privateFile());
        }
        return log;
    }

    /**
     * The end of what the log gained since an offset, for an error message.
     *
     * @param from the log's size before
     * @return the text to append to a message
     */
    String logTail(long from) {
        Path log = log();
        String text;
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long end = file.length();
            long start = Math.max(Math.min(from, end), end - 4000);
            byte[] bytes = new byte[(int) (end - start)];
            file.seek(start);
            file.readFully(bytes);
            text = new String(bytes, StandardCharsets.UTF_8).strip();
        } catch (IOException | UncheckedIOException e) {
            return " (see " + log + ")";
        }
        return text.isEmpty() ? " (nothing in " + log + ")" : "; " + log + " ends with:\n" + text;
    }

    private void writePrivately(Path file, String text) throws IOException {
        Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp", privateFile());
        Files.writeString(temporary, text + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void createPrivateDirectory(Path path) throws IOException {
        try {
            if (posix()) {
                Files.createDirectory(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(path);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(path)) {
                throw e;
            }
        }
    }

    static FileAttribute<?>[] privateFile() {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
