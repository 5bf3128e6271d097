package dev.kiln.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.store.embedded.EmbeddedDatabase;

/**
 * {@code kiln server} as a process: what it prints when it is ready, and a clean stop on SIGINT (Ctrl-C) and SIGTERM
 * alike, the node marked stopped before its database goes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class ShutdownTest {

    @TempDir
    Path temp;

    @Test
    void printsTheAdminTokenAndTheDatabaseOnceReadyAndStopsCleanlyOnSigintAndSigterm() throws Exception {
        Path data = temp.resolve("data");

        Started first = start(data);
        assertThat(first.output()).anySatisfy(line -> assertThat(line).startsWith("Admin token (shown once"));
        String password = Files.readString(data.resolve("postgres/password")).strip();
        assertThat(first.output()).anySatisfy(line -> assertThat(line).startsWith(
                "Other nodes on this machine share its database with: --database-url postgresql://postgres@127.0.0.1:")
                .contains("--database-password-file " + data.toRealPath().resolve("postgres/password")));
        assertThat(String.join("\n", first.output())).doesNotContain(password);
        assertThat(data.resolve(AdminTokenFile.NAME)).doesNotExist();
        String log = stop(first, "INT");
        assertThat(log).doesNotContain("Could not mark this node stopped", "shutting down", "ERROR");

        Started second = start(data);
        assertThat(second.output()).noneSatisfy(line -> assertThat(line).startsWith("Admin token"));
        log = stop(second, "TERM");
        assertThat(log).doesNotContain("Could not mark this node stopped", "shutting down", "ERROR");

        assertThat(data.resolve("postgres/pgdata/postmaster.pid")).doesNotExist();
        try (EmbeddedDatabase database = EmbeddedDatabase.start(data.resolve("postgres"));
             Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + database.port() + "/kiln",
                     "postgres", password);
             Statement statement = connection.createStatement();
             ResultSet nodes = statement.executeQuery("SELECT state, left_reason FROM nodes")) {
            assertThat(nodes.next()).isTrue();
            assertThat(nodes.getString(1)).isEqualTo("left");
            assertThat(nodes.getString(2)).contains("was stopped");
        }
    }

    private record Started(Process process, List<String> output, Path errors) {
    }

    private Started start(Path data) throws Exception {
        Path errors = Files.createTempFile(temp, "kiln", ".err");
        // With default signal dispositions: a test run started as a background job inherits an ignored
        // SIGINT, and a JVM that starts with SIGINT ignored never stops on it.
        List<String> command = List.of("env", "--default-signal=INT,TERM", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "server", "--port", "0", "--host", "127.0.0.1",
                "--data-dir", data.toString(), "--plugins-dir", temp.resolve("plugins").toString(), "--executors", "1");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
        builder.environment().remove("KILN_ADMIN_TOKEN");
        builder.environment().remove("KILN_DATABASE_URL");
        Process process = builder.start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            lines.add(line);
            if (line.startsWith("Kiln is ready at ")) {
                return new Started(process, lines, errors);
            }
        }
        throw new AssertionError("kiln server exited with " + process.waitFor() + " before it was ready: " + lines
                + "\n" + Files.readString(errors));
    }

    private static String stop(Started started, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(started.process().pid())).inheritIO().start().waitFor();
        assertThat(started.process().waitFor(2, TimeUnit.MINUTES)).as("kiln server stopped after SIG" + signal).isTrue();
        return Files.readString(started.errors());
    }
}
