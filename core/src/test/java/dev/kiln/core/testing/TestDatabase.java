package dev.kiln.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kiln.core.FileTrees;
import dev.kiln.core.store.embedded.EmbeddedDatabase;

/**
 * One embedded PostgreSQL per test JVM; each test gets a database of its own, so tests do not
 * see each other's rows and need no cleanup.
 */
public final class TestDatabase {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedDatabase server;

    private TestDatabase() {
    }

    private static synchronized EmbeddedDatabase server() throws Exception {
        if (server == null) {
            Path directory = Files.createTempDirectory("kiln-test-pg");
            server = EmbeddedDatabase.start(directory.resolve("postgres"), false);
            EmbeddedDatabase started = server;
            // The server and its copy of PostgreSQL (about 150 MB) go with the test JVM.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                FileTrees.delete(directory);
            }));
        }
        return server;
    }

    /**
     * Creates an empty database.
     *
     * @return its {@code postgresql://} URI
     * @throws Exception when the server cannot start
     */
    public static String freshDatabase() throws Exception {
        EmbeddedDatabase running = server();
        String name = "kiln_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        java.net.URI uri = java.net.URI.create(running.connectionUri());
        String password = uri.getUserInfo().substring(uri.getUserInfo().indexOf(':') + 1);
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + running.port() + "/postgres", "postgres", password);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        String base = running.connectionUri();
        return base.substring(0, base.lastIndexOf('/') + 1) + name;
    }
}
