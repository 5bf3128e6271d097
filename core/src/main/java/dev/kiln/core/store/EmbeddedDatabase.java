package dev.kiln.core.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;

/**
 * An embedded PostgreSQL server kept under a data directory, so its data survives a restart.
 *
 * <p>The directory holds {@code pgdata/} (the cluster itself), {@code postgres.log} (the server's output),
 * {@code password} (the superuser's password; TCP connections need it) and {@code kiln.lock} (held while a server
 * runs, so that two cannot share the cluster).
 *
 * <p>PostgreSQL refuses to run as root. As root, zonky already runs it inside a fresh user namespace
 * ({@code unshare -U}) where the kernel allows that; there it keeps uid 0 on disk but has no privileges. Where
 * user namespaces are forbidden (the default seccomp profile of Docker and most container runtimes), this class
 * hands zonky wrapper scripts that start PostgreSQL as user {@code nobody} through {@code setpriv}.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    static final String DATABASE = "kiln";
    static final String SUPERUSER = "postgres";
    static final String CLUSTER = "pgdata";
    static final String LOG_FILE = "postgres.log";
    static final String PASSWORD_FILE = "password";
    static final String LOCK_FILE = "kiln.lock";

    // Crash recovery after a kill can take a while; failures to start are noticed in the log long before this.
    private static final Duration STARTUP_WAIT = Duration.ofMinutes(2);
    private static final String PG_CTL_FAILED = "pg_ctl: could not start server";
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);
    // Postgres writes little to it (start, stop, errors); rotation only guards against a crash loop filling the disk.
    private static final long LOG_ROTATE_BYTES = 10L * 1024 * 1024;

    // Closing any channel on a file drops every POSIX lock this process holds on it, so a second start in this
    // JVM must be refused before it opens the lock file, or it would silently unlock the first.
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

    private final EmbeddedPostgres postgres;
    private final Path directory;
    private final String password;
    private final FileChannel lockChannel;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path directory, String password, FileChannel lockChannel) {
        this.postgres = postgres;
        this.directory = directory;
        this.password = password;
        this.lockChannel = lockChannel;
    }

    /**
     * Starts a durable server, initialising the cluster on first use.
     *
     * @param dataDirectory where the cluster, its log and its password live (e.g. {@code <kiln-data>/postgres})
     * @return the running server, on a free port bound to 127.0.0.1 only, with the database {@code kiln}
     * @throws IOException if the server cannot be set up or does not start; the message ends with its log
     * @throws IllegalStateException if another server uses the directory, or, as root, the unprivileged account
     *     PostgreSQL runs as cannot reach it
     */
    public static EmbeddedDatabase start(Path dataDirectory) throws IOException {
        return start(dataDirectory, true);
    }

    /**
     * Starts a server, initialising the cluster on first use.
     *
     * @param dataDirectory where the cluster, its log and its password live
     * @param durable false turns off fsync, synchronous_commit and full_page_writes: much faster, but a crash of
     *     the machine can lose or corrupt data. Only for tests.
     * @return the running server
     * @throws IOException if the server cannot be set up or does not start
     * @throws IllegalStateException if another server uses the directory, or it is unreachable when run as root
     */
    public static EmbeddedDatabase start(Path dataDirectory, boolean durable) throws IOException {
        long began = System.nanoTime();
        Path directory = createDirectory(dataDirectory);
        if (!IN_USE.add(directory)) {
            throw inUse(directory);
        }
        FileChannel lockChannel = null;
        boolean started = false;
        try {
            lockChannel = lock(directory);
            EmbeddedDatabase database = startLocked(directory, lockChannel, durable, began);
            started = true;
            return database;
        } finally {
            if (!started) {
                if (lockChannel != null) {
                    lockChannel.close();
                }
                IN_USE.remove(directory);
            }
        }
    }

    /**
     * The URI to hand to vertx-pg-client. It carries the superuser's password, so keep it out of logs.
     *
     * @return {@code postgresql://postgres:<password>@127.0.0.1:<port>/kiln}
     */
    public String connectionUri() {
        return "postgresql://" + SUPERUSER + ":" + password + "@127.0.0.1:" + port() + "/" + DATABASE;
    }

    /**
     * The TCP port, on 127.0.0.1.
     *
     * @return the port
     */
    public int port() {
        return postgres.getPort();
    }

    String password() {
        return password;
    }

    Path cluster() {
        return directory.resolve(CLUSTER);
    }

    /** Stops the server (fast shutdown: open transactions roll back) and waits until it is gone; idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            postgres.close();
            // pg_ctl gives up after 5 s while a big shutdown checkpoint may still be running; the next start
            // in this JVM must not find the old server, so wait for postgres to remove its pid file.
            awaitGone(cluster(), -1, SHUTDOWN_WAIT);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Embedded PostgreSQL in {} did not stop cleanly", cluster(), e);
        } finally {
            try {
                lockChannel.close();
            } catch (IOException e) {
                LOG.warn("Could not release {}", directory.resolve(LOCK_FILE), e);
            }
            IN_USE.remove(directory);
        }
    }

    private static EmbeddedDatabase startLocked(Path directory, FileChannel lockChannel, boolean durable, long began)
            throws IOException {
        Path cluster = directory.resolve(CLUSTER);
        Isolation isolation = Isolation.detect();
        stopLeftoverServer(cluster);

        boolean fresh = !Files.exists(cluster.resolve("postgresql.conf"));
        String password = password(directory, cluster, fresh);
        Account account = isolation.account();
        if (account == null) {
            createPrivateDirectory(cluster);
        } else {
            prepareForAccount(directory, cluster, account, isolation);
        }

        Path log = rotate(directory.resolve(LOG_FILE));
        long logStart = Files.size(log);

        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(cluster)
                .setCleanDataDirectory(false)
                // longer than our own limit, which startWatched enforces
                .setPGStartupWait(STARTUP_WAIT.plusMinutes(1))
                .setOutputRedirector(Redirect.appendTo(log.toFile()))
                .setErrorRedirector(Redirect.appendTo(log.toFile()))
                .setConnectConfig("password", password)
                .setServerConfig("listen_addresses", "127.0.0.1")
                // TCP only: nothing in Kiln uses the socket, and as nobody /tmp may not be the right place for it
                .setServerConfig("unix_socket_directories", "''")
                .setServerConfig("max_connections", "100")
                // zonky always passes -F (fsync off) ahead of these settings; a later -c fsync wins
                .setServerConfig("fsync", durable ? "on" : "off")
                .setServerConfig("synchronous_commit", durable ? "on" : "off")
                .setServerConfig("full_page_writes", durable ? "on" : "off");
        if (isolation != Isolation.NONE) {
            builder.setOverrideWorkingDirectory(RootSupport.zonkyWorkingDirectory().toFile());
        }
        if (isolation == Isolation.SETPRIV) {
            builder.setPgBinaryResolver(RootSupport.setprivResolver(account));
        }
        Path pwfile = null;
        if (fresh) {
            pwfile = isolation == Isolation.SETPRIV ? copyFor(account, directory.resolve(PASSWORD_FILE))
                    : directory.resolve(PASSWORD_FILE);
            // zonky appends these to its own "initdb -A trust": later options win, so the cluster never trusts
            // anyone. The C locale keeps index order independent of the host's libc across upgrades.
            builder.setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", pwfile.toString())
                    .setLocaleConfig("locale", "C");
        }

        EmbeddedPostgres postgres;
        try {
            postgres = startWatched(builder, log, logStart);
        } catch (IOException | RuntimeException | ExceptionInInitializerError e) {
            try {
                stopLeftoverServer(cluster);
            } catch (IOException | RuntimeException stopFailure) {
                e.addSuppressed(stopFailure);
            }
            long logEnd = e instanceof StartFailure ? ((StartFailure) e).logEnd : Long.MAX_VALUE;
            throw new IOException("Embedded PostgreSQL in " + cluster + " did not start" + tail(log, logStart, logEnd),
                    e);
        } finally {
            if (pwfile != null && isolation == Isolation.SETPRIV) {
                Files.deleteIfExists(pwfile);
            }
        }
        EmbeddedDatabase database = new EmbeddedDatabase(postgres, directory, password, lockChannel);
        try {
            database.createKilnDatabase();
        } catch (SQLException e) {
            database.close();
            throw new IOException("Could not create the database " + DATABASE + " in " + cluster, e);
        }
        LOG.info("Embedded PostgreSQL ({}) ready on 127.0.0.1:{} in {} ms{}{}", isolation.description(),
                database.port(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began),
                fresh ? ", new cluster in " : ", cluster in ", cluster);
        return database;
    }

    /*
     * Zonky ignores pg_ctl's exit status and polls the port until its wait runs out, and when that wait throws it
     * keeps a lock on the cluster for the rest of the JVM. So we watch the log instead and interrupt zonky's wait,
     * which makes it return normally: fast failures, and an instance whose close() releases zonky's lock.
     */
    private static EmbeddedPostgres startWatched(EmbeddedPostgres.Builder builder, Path log, long logStart)
            throws IOException {
        Thread starter = Thread.currentThread();
        Object guard = new Object();
        boolean[] done = {false};
        String[] failure = {null};
        long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
        Thread watcher = new Thread(() -> {
            while (true) {
                synchronized (guard) {
                    if (done[0]) {
                        return;
                    }
                    if (failure[0] == null && logContains(log, logStart, PG_CTL_FAILED)) {
                        failure[0] = "PostgreSQL stopped while starting";
                    } else if (failure[0] == null && System.nanoTime() > deadline) {
                        failure[0] = "PostgreSQL was not ready after " + STARTUP_WAIT.toSeconds() + " s";
                    }
                    if (failure[0] != null) {
                        // repeated, in case something in zonky's loop swallows an interrupt
                        starter.interrupt();
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "kiln-postgres-start-watch");
        watcher.setDaemon(true);
        watcher.start();
        EmbeddedPostgres postgres;
        try {
            postgres = builder.start();
        } finally {
            synchronized (guard) {
                done[0] = true;
            }
            watcher.interrupt();
            if (failure[0] != null) {
                Thread.interrupted();
            }
        }
        if (failure[0] != null) {
            long logEnd = Files.size(log);
            postgres.close();
            throw new StartFailure(failure[0], logEnd);
        }
        return postgres;
    }

    /** A start that failed before zonky noticed; zonky's own stop afterwards adds nothing useful to the log. */
    private static final class StartFailure extends IOException {
        private static final long serialVersionUID = 1L;
        final long logEnd;

        StartFailure(String message, long logEnd) {
            super(message);
            this.logEnd = logEnd;
        }
    }

    // Every start checks, so that a crash between initdb and CREATE DATABASE heals itself.
    private void createKilnDatabase() throws SQLException {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[] {"127.0.0.1"});
        source.setPortNumbers(new int[] {port()});
        source.setDatabaseName("postgres");
        source.setUser(SUPERUSER);
        source.setPassword(password);
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery(
                    "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (exists.next()) {
                    return;
                }
            }
            statement.execute("CREATE DATABASE " + DATABASE);
        }
    }

    private static Path createDirectory(Path dataDirectory) throws IOException {
        Path absolute = dataDirectory.toAbsolutePath().normalize();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        createPrivateDirectory(absolute);
        // pg_ctl and the leftover-server check compare paths as strings; one spelling avoids surprises
        return absolute.toRealPath();
    }

    private static FileChannel lock(Path directory) throws IOException {
        FileChannel channel = FileChannel.open(directory.resolve(LOCK_FILE),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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

    private static IllegalStateException inUse(Path directory) {
        return new IllegalStateException("The embedded PostgreSQL data directory " + directory
                + " is already in use by a running Kiln (this process or another); stop it or use another data"
                + " directory");
    }

    private static String password(Path directory, Path cluster, boolean fresh) throws IOException {
        Path file = directory.resolve(PASSWORD_FILE);
        if (Files.exists(file)) {
            String password = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!password.isEmpty()) {
                return password;
            }
        }
        if (!fresh) {
            throw new IllegalStateException("The embedded PostgreSQL cluster " + cluster + " exists but its password"
                    + " file " + file + " is missing or empty; restore it, or delete " + cluster + " to start afresh");
        }
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        // hex needs no escaping in a URI, a pwfile or a shell
        String password = HexFormat.of().formatHex(random);
        Path temporary = Files.createTempFile(directory, PASSWORD_FILE, ".tmp", privateFile());
        Files.writeString(temporary, password + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return password;
    }

    private static void prepareForAccount(Path directory, Path cluster, Account account, Isolation isolation)
            throws IOException {
        if (isolation == Isolation.SETPRIV) {
            // nobody must pass through to pgdata; the password and log inside stay private by their own modes
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(directory, permissions);
        }
        for (Path ancestor = directory; ancestor != null; ancestor = ancestor.getParent()) {
            requireTraversable(ancestor, account, isolation.description(),
                    "choose a data directory under /var/lib or /tmp, make it reachable (chmod o+x " + ancestor
                            + "), or configure an external database");
        }
        createPrivateDirectory(cluster);
        // postgres insists on owning its cluster; a cluster started under the other isolation has the other owner
        chownTree(cluster, account);
    }

    static void requireTraversable(Path directory, Account account, String who, String remedy) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(directory, "unix:mode,uid,gid");
        int mode = (Integer) attributes.get("mode");
        int uid = (Integer) attributes.get("uid");
        int gid = (Integer) attributes.get("gid");
        // the account holds no capabilities and no supplementary groups, so plain mode bits decide
        int bit = uid == account.uid() ? 0100 : gid == account.gid() ? 0010 : 0001;
        if ((mode & bit) == 0) {
            throw new IllegalStateException(String.format("PostgreSQL cannot run as root, so Kiln runs it as %s,"
                    + " which cannot enter %s (owner uid %d, mode %o); %s", who, directory, uid, mode & 07777, remedy));
        }
    }

    private static void chownTree(Path root, Account account) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(root, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        if ((Integer) attributes.get("uid") == account.uid() && (Integer) attributes.get("gid") == account.gid()) {
            return;
        }
        LOG.info("Giving {} to uid {}", root, account.uid());
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                chown(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                chown(file);
                return FileVisitResult.CONTINUE;
            }

            private void chown(Path path) throws IOException {
                Files.setAttribute(path, "unix:uid", account.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", account.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        });
    }

    // initdb reads the password from a file, and as nobody it cannot read ours.
    private static Path copyFor(Account account, Path passwordFile) throws IOException {
        Path copy = passwordFile.resolveSibling("." + PASSWORD_FILE + ".initdb");
        Files.deleteIfExists(copy);
        Files.copy(passwordFile, copy);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("r--------"));
        Files.setAttribute(copy, "unix:uid", account.uid());
        Files.setAttribute(copy, "unix:gid", account.gid());
        return copy;
    }

    /*
     * pg_ctl starts postgres as a daemon, so a Kiln killed with SIGKILL leaves it running and holding the cluster.
     * Our lock proves no live Kiln owns the cluster, so a postmaster still serving it is such an orphan: stop it.
     */
    static void stopLeftoverServer(Path cluster) throws IOException {
        long pid = postmasterPid(cluster);
        if (pid <= 0) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !isPostmasterOf(process.get(), cluster)) {
            return; // a stale pid file, which postgres itself ignores
        }
        LOG.warn("Stopping PostgreSQL (pid {}) left running on {} by an earlier Kiln", pid, cluster);
        try {
            // SIGINT is postgres' fast shutdown; the shell's builtin kill exists wherever sh does
            Process kill = new ProcessBuilder("sh", "-c", "kill -INT \"$1\"", "sh", Long.toString(pid))
                    .redirectErrorStream(true).start();
            kill.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            kill.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while stopping PostgreSQL " + pid, e);
        }
        if (!awaitGone(cluster, pid, SHUTDOWN_WAIT)) {
            throw new IllegalStateException("PostgreSQL (pid " + pid + ") left running on " + cluster
                    + " by an earlier Kiln did not stop; stop it and start again");
        }
    }

    private static long postmasterPid(Path cluster) throws IOException {
        Path pidFile = cluster.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return -1;
        }
        try (Stream<String> lines = Files.lines(pidFile)) {
            return lines.findFirst().map(String::trim).map(Long::parseLong).orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isPostmasterOf(ProcessHandle process, Path cluster) {
        // pid files outlive reboots and pids get reused, so check that the pid really is a postmaster on this cluster
        String commandLine = process.info().commandLine().orElse("");
        return commandLine.contains("postgres") && commandLine.contains(cluster.toString());
    }

    // The postmaster removes its pid file as the last thing it does; exiting is enough too.
    private static boolean awaitGone(Path cluster, long pid, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long current = postmasterPid(cluster);
            boolean running = current > 0 && (pid <= 0 || current == pid)
                    && ProcessHandle.of(current).map(ProcessHandle::isAlive).orElse(false);
            if (!running) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while waiting for PostgreSQL to stop", e);
            }
        }
    }

    private static Path rotate(Path log) throws IOException {
        if (Files.exists(log) && Files.size(log) > LOG_ROTATE_BYTES) {
            Files.move(log, log.resolveSibling(LOG_FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(log)) {
            Files.createFile(log, privateFile());
        }
        return log;
    }

    private static String tail(Path log, long from, long to) {
        String text;
        try {
            text = readFrom(log, from, to).strip();
        } catch (UncheckedIOException e) {
            return " (see " + log + ")";
        }
        if (text.length() > 4000) {
            text = text.substring(text.length() - 4000);
        }
        return text.isEmpty() ? " (nothing in " + log + ")" : "; " + log + " ends with:\n" + text;
    }

    private static boolean logContains(Path log, long from, String text) {
        try {
            return readFrom(log, from, Long.MAX_VALUE).contains(text);
        } catch (UncheckedIOException e) {
            return false; // the deadline still applies
        }
    }

    // At most the last MiB of [from, to): postgres says why it failed at the end.
    private static String readFrom(Path log, long from, long to) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long end = Math.min(to, file.length());
            long start = Math.min(from, end);
            byte[] bytes = new byte[(int) Math.min(end - start, 1 << 20)];
            file.seek(end - bytes.length);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createPrivateDirectory(Path path) throws IOException {
        try {
            if (posix()) {
                Files.createDirectory(path, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(path);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(path)) {
                throw e;
            }
        }
    }

    private static FileAttribute<?>[] privateFile() {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------"))} : new FileAttribute<?>[0];
    }

    private static boolean posix() {
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** The unprivileged identity PostgreSQL runs as when Kiln is root. */
    record Account(String name, int uid, int gid) {
    }

    /** How PostgreSQL is kept from running as root. */
    enum Isolation {
        /** Not root: PostgreSQL runs as the JVM's user, exactly as zonky does by default. */
        NONE,
        /** Root, and zonky itself prefixes every command with unshare -U: uid 0 on disk, but no capabilities. */
        USER_NAMESPACE,
        /** Root without user namespaces: our wrapper scripts switch to nobody with setpriv. */
        SETPRIV;

        static Isolation detect() {
            if (!System.getProperty("os.name", "").startsWith("Linux") || new UnixSystem().getUid() != 0) {
                return NONE;
            }
            // the same test zonky makes before adding unshare -U, so our choice always matches what it will run
            return LinuxUtils.isUnshareAvailable() ? USER_NAMESPACE : SETPRIV;
        }

        Account account() throws IOException {
            switch (this) {
                case USER_NAMESPACE:
                    return new Account("root", 0, 0);
                case SETPRIV:
                    return RootSupport.nobody();
                default:
                    return null;
            }
        }

        String description() {
            switch (this) {
                case USER_NAMESPACE:
                    return "root without privileges in a user namespace";
                case SETPRIV:
                    return "user nobody via setpriv";
                default:
                    return "user " + System.getProperty("user.name");
            }
        }
    }

    /** What running as root needs: a private place for binaries, the real binaries, and the setpriv wrappers. */
    static final class RootSupport {

        private static Account nobody;
        private static PgBinaryResolver resolver;

        private RootSupport() {
        }

        static synchronized Account nobody() throws IOException {
            if (nobody == null) {
                String id = run("id", "nobody");
                Matcher matcher = Pattern.compile("uid=(\\d+)\\S*\\s+gid=(\\d+)").matcher(id);
                if (!matcher.find()) {
                    throw new IllegalStateException("PostgreSQL cannot run as root and this system has no user"
                            + " nobody to run it as (id nobody: " + id.strip() + "); run Kiln as another user or"
                            + " configure an external database");
                }
                nobody = new Account("nobody", Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
            }
            return nobody;
        }

        /*
         * Zonky's own working directory (tmpdir/embedded-pg) is made writable by everyone, so any local user could
         * plant binaries there for root to run. As root we keep zonky's files where only root can write.
         */
        static Path zonkyWorkingDirectory() throws IOException {
            Path base = privateBase();
            Path working = base.resolve("zonky");
            createPrivateDirectory(working);
            // zonky adds write permission for everyone each time; without search permission that grants nothing
            requireOwnedByRoot(working, 0011);
            // zonky always creates tmpdir/embedded-pg as well; created by root with the usual umask it would lock
            // out non-root users of zonky on this machine later, so give it the sticky, shared mode of /tmp
            Path shared = Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg");
            try {
                Files.createDirectory(shared);
                Files.setAttribute(shared, "unix:mode", 01777);
            } catch (FileAlreadyExistsException e) {
                // someone else's choice
            }
            return working;
        }

        static synchronized PgBinaryResolver setprivResolver(Account account) throws IOException {
            if (resolver == null) {
                Path setpriv = findSetpriv();
                Path binaries = realBinaries();
                for (Path directory = binaries; directory != null; directory = directory.getParent()) {
                    requireTraversable(directory, account, "user " + account.name() + " via setpriv",
                            "point java.io.tmpdir at a directory " + account.name() + " can reach, such as /tmp");
                }
                byte[] archive = wrapperArchive(binaries, setpriv, account);
                resolver = (system, machineHardware) -> new ByteArrayInputStream(archive);
            }
            return resolver;
        }

        private static Path findSetpriv() {
            List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "")
                    .split(File.pathSeparator)));
            directories.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
            for (String directory : directories) {
                if (!directory.isEmpty()) {
                    Path candidate = Path.of(directory, "setpriv");
                    if (Files.isExecutable(candidate)) {
                        return candidate.toAbsolutePath();
                    }
                }
            }
            throw new IllegalStateException("PostgreSQL cannot run as root, user namespaces are unavailable here and"
                    + " setpriv (util-linux) is not installed; install util-linux, run Kiln as another user, or"
                    + " configure an external database");
        }

        private static Path privateBase() throws IOException {
            Path base = Path.of(System.getProperty("java.io.tmpdir"), "kiln-pg").toAbsolutePath();
            try {
                Files.createDirectory(base);
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (FileAlreadyExistsException e) {
                // checked below
            }
            requireOwnedByRoot(base, 0022);
            return base;
        }

        private static void requireOwnedByRoot(Path directory, int forbidden) throws IOException {
            Map<String, Object> attributes = Files.readAttributes(directory, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) attributes.get("mode");
            boolean directoryNotLink = (mode & 0170000) == 0040000;
            if (!directoryNotLink || (Integer) attributes.get("uid") != 0 || (mode & forbidden) != 0) {
                throw new IllegalStateException(String.format("Refusing to run PostgreSQL binaries from %s: it must"
                        + " be a directory owned by root that no one else can change (mode %o); remove it and start"
                        + " again", directory, mode & 07777));
            }
        }

        /*
         * Zonky's bundled archive, unpacked once per version where everyone can read and run it but only root can
         * change it. Several JVMs may start at once: a file lock serialises them, and the unpacking happens aside and
         * is renamed into place, so a directory with its marker is complete.
         */
        private static Path realBinaries() throws IOException {
            byte[] archive;
            try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", architecture())) {
                archive = in.readAllBytes();
            }
            String digest;
            try {
                digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive)).substring(0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            Path base = privateBase();
            Path target = base.resolve("pg-" + digest);
            Path marker = target.resolve(".complete");
            if (Files.exists(marker)) {
                return target;
            }
            try (FileChannel channel = FileChannel.open(base.resolve("pg-" + digest + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                channel.lock(); // released as the channel closes
                if (Files.exists(marker)) {
                    return target;
                }
                try (Stream<Path> leftovers = Files.list(base)) {
                    for (Path leftover : (Iterable<Path>) leftovers::iterator) {
                        String name = leftover.getFileName().toString();
                        if (name.startsWith("pg-" + digest + ".partial") || leftover.equals(target)) {
                            deleteTree(leftover);
                        }
                    }
                }
                LOG.info("Unpacking PostgreSQL into {}", target);
                Path partial = Files.createTempDirectory(base, "pg-" + digest + ".partial");
                extract(archive, partial);
                Files.createFile(partial.resolve(".complete"));
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        }

        private static String architecture() {
            // zonky's own naming, which its resolver expects
            String arch = System.getProperty("os.arch");
            return "amd64".equals(arch) ? "x86_64" : arch;
        }

        private static void extract(byte[] txz, Path target) throws IOException {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(
                    new ByteArrayInputStream(txz)))) {
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
                        // readable by all, writable by none but root, whatever the umask or the archive says
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

        /*
         * bin/initdb and bin/pg_ctl are all zonky runs. The real programs find postgres and share/ next to
         * themselves, so everything past the wrappers runs from the real directory, as the account.
         */
        private static byte[] wrapperArchive(Path binaries, Path setpriv, Account account) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                    new XZOutputStream(bytes, new LZMA2Options()))) {
                for (String command : List.of("initdb", "pg_ctl")) {
                    byte[] script = ("#!/bin/sh\n"
                            + "# Written by Kiln: PostgreSQL refuses to run as root, so run it as "
                            + account.name() + ".\n"
                            + "cd / || exit 1\n"
                            + "exec " + quote(setpriv.toString()) + " --reuid=" + account.uid()
                            + " --regid=" + account.gid() + " --clear-groups --no-new-privs -- "
                            + quote(binaries.resolve("bin").resolve(command).toString()) + " \"$@\"\n")
                            .getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry entry = new TarArchiveEntry("bin/" + command);
                    entry.setMode(0755);
                    entry.setSize(script.length);
                    // zonky names its directory after the archive's digest: a fixed time keeps it the same name
                    entry.setModTime(FileTime.fromMillis(0));
                    entry.setUserName("");
                    entry.setGroupName("");
                    tar.putArchiveEntry(entry);
                    tar.write(script);
                    tar.closeArchiveEntry();
                }
            }
            return bytes.toByteArray();
        }

        private static String quote(String text) {
            return "'" + text.replace("'", "'\\''") + "'";
        }

        private static void deleteTree(Path root) throws IOException {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(path);
                }
            }
        }

        private static String run(String... command) throws IOException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted running " + String.join(" ", command), e);
            }
            return output;
        }
    }
}
