package dev.kiln.core.store.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded PostgreSQL server kept under a data directory, so its data survives a restart, and supervised: when
 * the postmaster dies it is started again on the same port, so that pools reconnect without a restart of Kiln.
 *
 * <p>The directory's files are described in {@link ServerFiles}; how the server avoids running as root in
 * {@link Isolation}.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    // Closing any channel on a file drops every POSIX lock this process holds on it, so a second start in this
    // JVM must be refused before it opens the lock file, or it would silently unlock the first.
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

    private final ServerFiles files;
    private final FileChannel lockChannel;
    private final Supervisor supervisor;

    private EmbeddedDatabase(ServerFiles files, FileChannel lockChannel, Supervisor supervisor) {
        this.files = files;
        this.lockChannel = lockChannel;
        this.supervisor = supervisor;
    }

    /**
     * Starts a durable server on its remembered port, initialising the cluster on first use.
     *
     * @param dataDirectory where the cluster, its log, port and password live (e.g. {@code <kiln-data>/postgres})
     * @return the running server, bound to 127.0.0.1 only, with the database {@code kiln}
     * @throws IOException if the server cannot be set up or does not start; the message names the port and ends
     *     with its log
     * @throws IllegalStateException if another server uses the directory, or, as root, the unprivileged account
     *     PostgreSQL runs as cannot reach it
     */
    public static EmbeddedDatabase start(Path dataDirectory) throws IOException {
        return start(dataDirectory, true, 0);
    }

    /**
     * Starts a server on its remembered port, initialising the cluster on first use.
     *
     * @param dataDirectory where the cluster, its log and its password live
     * @param durable false turns off fsync, synchronous_commit and full_page_writes: much faster, but a crash of
     *     the machine can lose or corrupt data. Only for tests.
     * @return the running server
     * @throws IOException if the server cannot be set up or does not start
     * @throws IllegalStateException if another server uses the directory, or it is unreachable when run as root
     */
    public static EmbeddedDatabase start(Path dataDirectory, boolean durable) throws IOException {
        return start(dataDirectory, durable, 0);
    }

    /**
     * Starts a server, initialising the cluster on first use.
     *
     * @param dataDirectory where the cluster, its log and its password live
     * @param durable false trades crash safety for speed (tests)
     * @param port the port to use from now on, or 0 for the one chosen at the first start (a free one)
     * @return the running server
     * @throws IOException if the server cannot be set up or does not start
     * @throws IllegalStateException if another server uses the directory, or it is unreachable when run as root
     */
    public static EmbeddedDatabase start(Path dataDirectory, boolean durable, int port) throws IOException {
        long began = System.nanoTime();
        ServerFiles files = ServerFiles.create(dataDirectory);
        if (!IN_USE.add(files.directory())) {
            throw ServerFiles.inUse(files.directory());
        }
        FileChannel lockChannel = null;
        try {
            lockChannel = files.lock();
            Supervisor supervisor = new Supervisor(launch(files, durable, port));
            EmbeddedDatabase database = new EmbeddedDatabase(files, lockChannel, supervisor);
            LOG.info("Embedded PostgreSQL ready on 127.0.0.1:{} in {} ms, cluster in {}", database.port(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), files.cluster());
            return database;
        } catch (IOException | RuntimeException | Error e) {
            if (lockChannel != null) {
                lockChannel.close();
            }
            IN_USE.remove(files.directory());
            throw e;
        }
    }

    private static Supervisor.Started launch(ServerFiles files, boolean durable, int requestedPort) throws IOException {
        Isolation isolation = Isolation.detect();
        LeftoverServer.stop(files.cluster());
        boolean fresh = files.fresh();
        String password = files.password();
        int port = files.port(requestedPort);
        Path binaries = PostgresBinaries.install(files.directory());
        RootIsolation.prepare(files, isolation);
        PostgresProcess postgres = new PostgresProcess(files, isolation, binaries, port, password, durable);
        if (fresh) {
            LOG.info("Making a new PostgreSQL cluster in {} (running it as {})", files.cluster(), isolation.description());
            postgres.initdb();
        }
        return new Supervisor.Started(postgres, postgres.start());
    }

    /**
     * The URI of the server another process runs on a directory, read from its port and password files.
     *
     * @param dataDirectory the server's directory
     * @return the URI, with the password
     * @throws IllegalStateException when the directory holds no server's files
     */
    public static String connectionUriOf(Path dataDirectory) throws IOException {
        ServerFiles files = ServerFiles.create(dataDirectory);
        if (files.fresh() || !java.nio.file.Files.exists(files.portFile())) {
            throw new IllegalStateException("No embedded PostgreSQL in " + files.directory() + " (no cluster or no "
                    + ServerFiles.PORT_FILE + " file there)");
        }
        return "postgresql://" + PostgresProcess.SUPERUSER + ":" + files.password() + "@127.0.0.1:" + files.port(0) + "/"
                + PostgresProcess.DATABASE;
    }

    /**
     * The URI to hand to vertx-pg-client. It carries the superuser's password, so keep it out of logs.
     *
     * @return {@code postgresql://postgres:<password>@127.0.0.1:<port>/kiln}
     */
    public String connectionUri() {
        return "postgresql://" + PostgresProcess.SUPERUSER + ":" + password() + "@127.0.0.1:" + port() + "/"
                + PostgresProcess.DATABASE;
    }

    /**
     * The URI other nodes on this machine use, without the password, which they read from {@link #passwordFile()}.
     *
     * @return {@code postgresql://postgres@127.0.0.1:<port>/kiln}
     */
    public String sharedUri() {
        return "postgresql://" + PostgresProcess.SUPERUSER + "@127.0.0.1:" + port() + "/" + PostgresProcess.DATABASE;
    }

    /**
     * The file holding the superuser's password.
     *
     * @return the file
     */
    public Path passwordFile() {
        return files.passwordFile();
    }

    /**
     * The TCP port, on 127.0.0.1; the same after every restart.
     *
     * @return the port
     */
    public int port() {
        return supervisor.postgres().port();
    }

    /**
     * Whether the postmaster runs now (false while the supervisor restarts it).
     *
     * @return true when running
     */
    public boolean running() {
        return supervisor.running();
    }

    String password() {
        return supervisor.postgres().password();
    }

    Path cluster() {
        return files.cluster();
    }

    long pid() {
        return supervisor.pid();
    }

    /** Stops the server (fast shutdown: open transactions roll back) and waits until it is gone; idempotent. */
    @Override
    public void close() {
        if (!supervisor.close()) {
            return;
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("Could not release {}", files.directory().resolve(ServerFiles.LOCK_FILE), e);
        }
        IN_USE.remove(files.directory());
    }
}
