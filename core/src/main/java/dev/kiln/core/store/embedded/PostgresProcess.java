package dev.kiln.core.store.embedded;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.postgresql.ds.PGSimpleDataSource;

/**
 * Runs PostgreSQL's programs for one server: initdb once, then the postmaster as a child of this JVM (so that its
 * death is noticed at once), in a session of its own (so that Ctrl-C in a terminal reaches Kiln, which stops it in
 * its own time, and not the postmaster too).
 */
final class PostgresProcess {

    static final String SUPERUSER = "postgres";
    static final String DATABASE = "kiln";
    // Crash recovery after a kill can take a while; a server that fails exits long before this.
    private static final Duration STARTUP_WAIT = Duration.ofMinutes(2);

    private final ServerFiles files;
    private final Isolation isolation;
    private final Path binaries;
    private final int port;
    private final String password;
    private final boolean durable;

    PostgresProcess(ServerFiles files, Isolation isolation, Path binaries, int port, String password, boolean durable) {
        this.files = files;
        this.isolation = isolation;
        this.binaries = binaries;
        this.port = port;
        this.password = password;
        this.durable = durable;
    }

    int port() {
        return port;
    }

    String password() {
        return password;
    }

    /**
     * Makes the cluster: password authentication only, and the C locale, which keeps index order independent of the
     * host's libc across upgrades.
     */
    void initdb() throws IOException {
        Path log = files.rotatedLog();
        long logStart = Files.size(log);
        Path pwfile = RootIsolation.passwordFileFor(isolation, files.passwordFile());
        try {
            List<String> command = new ArrayList<>(isolation.commandPrefix());
            command.addAll(List.of(binaries.resolve("bin/initdb").toString(), "-D", files.cluster().toString(),
                    "-U", SUPERUSER, "-A", "scram-sha-256", "--pwfile=" + pwfile, "--locale=C", "-E", "UTF8"));
            Process initdb = processBuilder(command, log).start();
            if (!initdb.waitFor(STARTUP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                initdb.destroyForcibly();
                throw new IOException("initdb did not finish in " + STARTUP_WAIT.toSeconds() + " s" + files.logTail(logStart));
            }
            if (initdb.exitValue() != 0) {
                throw new IOException("initdb of " + files.cluster() + " failed (exit status " + initdb.exitValue() + ")"
                        + files.logTail(logStart));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while making the cluster " + files.cluster(), e);
        } finally {
            if (!pwfile.equals(files.passwordFile())) {
                Files.deleteIfExists(pwfile);
            }
        }
    }

    /**
     * Starts the postmaster and waits until it accepts connections and the database {@code kiln} exists.
     *
     * @return the postmaster
     * @throws IOException when it exits or is not ready in time; the message names the port and ends with the log
     */
    Process start() throws IOException {
        Path log = files.rotatedLog();
        long logStart = Files.size(log);
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(isolation.commandPrefix());
        String sync = durable ? "on" : "off";
        command.addAll(List.of(binaries.resolve("bin/postgres").toString(), "-D", files.cluster().toString(),
                "-p", Integer.toString(port),
                "-c", "listen_addresses=127.0.0.1",
                // TCP only: nothing in Kiln uses the socket, and as nobody /tmp may not be the right place for it
                "-c", "unix_socket_directories=",
                "-c", "max_connections=100",
                "-c", "fsync=" + sync, "-c", "synchronous_commit=" + sync, "-c", "full_page_writes=" + sync));
        Process postmaster = processBuilder(command, log).start();
        try {
            awaitReady(postmaster, logStart);
        } catch (IOException | RuntimeException e) {
            stop(postmaster);
            throw e;
        }
        return postmaster;
    }

    /**
     * Fast shutdown (open transactions roll back), waiting until the postmaster is gone.
     *
     * @param postmaster the postmaster
     * @return true when it stopped in time
     */
    boolean stop(Process postmaster) throws IOException {
        if (!postmaster.isAlive()) {
            return true;
        }
        LeftoverServer.signal(postmaster.pid(), "INT");
        try {
            if (postmaster.waitFor(LeftoverServer.SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                return true;
            }
            postmaster.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while stopping PostgreSQL on port " + port, e);
        }
    }

    private void awaitReady(Process postmaster, long logStart) throws IOException {
        long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!postmaster.isAlive()) {
                throw new IOException("Embedded PostgreSQL in " + files.cluster() + " did not start on port " + port
                        + " (kept in " + files.portFile() + "; --database-port chooses another)" + files.logTail(logStart));
            }
            try {
                createKilnDatabase();
                return;
            } catch (SQLException e) {
                if ("28P01".equals(e.getSQLState())) {
                    throw new IllegalStateException("The embedded PostgreSQL on port " + port + " refuses the password in "
                            + files.passwordFile() + "; restore the file that belongs to " + files.cluster(), e);
                }
                last = e; // not listening yet, or still recovering ("the database system is starting up")
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while starting PostgreSQL on port " + port, e);
            }
        }
        throw new IOException("Embedded PostgreSQL in " + files.cluster() + " was not ready on port " + port + " after "
                + STARTUP_WAIT.toSeconds() + " s (" + (last == null ? "no answer" : last.getMessage()) + ")"
                + files.logTail(logStart));
    }

    // Every start checks, so that a crash between initdb and CREATE DATABASE heals itself.
    private void createKilnDatabase() throws SQLException {
        try (Connection connection = dataSource("postgres").getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (exists.next()) {
                    return;
                }
            }
            statement.execute("CREATE DATABASE " + DATABASE);
        }
    }

    PGSimpleDataSource dataSource(String database) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[] {"127.0.0.1"});
        source.setPortNumbers(new int[] {port});
        source.setDatabaseName(database);
        source.setUser(SUPERUSER);
        source.setPassword(password);
        source.setConnectTimeout(5);
        return source;
    }

    private static ProcessBuilder processBuilder(List<String> command, Path log) {
        File logFile = log.toFile();
        // the account PostgreSQL runs as may not reach Kiln's working directory
        return new ProcessBuilder(command).directory(new File("/"))
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(Redirect.appendTo(logFile))
                .redirectError(Redirect.appendTo(logFile));
    }
}
