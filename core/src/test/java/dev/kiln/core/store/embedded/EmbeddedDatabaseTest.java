package dev.kiln.core.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import dev.kiln.core.testing.Eventually;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class EmbeddedDatabaseTest {

    @TempDir
    Path temp;

    @Test
    void keepsDataAcrossRestartsAndIsDurableByDefault() throws Exception {
        Path directory = temp.resolve("postgres");
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory)) {
            assertThat(database.connectionUri()).isEqualTo("postgresql://postgres:" + database.password()
                    + "@127.0.0.1:" + database.port() + "/kiln");
            execute(database, "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (42)");
            assertThat(query(database, "SELECT current_database()")).isEqualTo("kiln");
            assertThat(query(database, "SHOW fsync")).isEqualTo("on");
            assertThat(query(database, "SHOW synchronous_commit")).isEqualTo("on");
            assertThat(query(database, "SHOW full_page_writes")).isEqualTo("on");
            assertThat(query(database, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
        }
        assertThat(directory.resolve("pgdata/PG_VERSION")).exists();
        assertThat(directory.resolve("postgres.log")).exists();

        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory)) {
            assertThat(query(database, "SELECT id FROM kept")).isEqualTo("42");
        }
    }

    @Test
    void vertxPgClientConnectsWithTheUri() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EmbeddedDatabase database = EmbeddedDatabase.start(temp.resolve("postgres"), false)) {
            Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(database.connectionUri()))
                    .using(vertx).build();
            try {
                Row row = pool.query("SELECT current_user, current_database()").execute()
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).iterator().next();
                assertThat(row.getString(0)).isEqualTo("postgres");
                assertThat(row.getString(1)).isEqualTo("kiln");
            } finally {
                pool.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void canTradeDurabilityForSpeed() throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.start(temp.resolve("postgres"), false)) {
            assertThat(query(database, "SHOW fsync")).isEqualTo("off");
            assertThat(query(database, "SHOW synchronous_commit")).isEqualTo("off");
            assertThat(query(database, "SHOW full_page_writes")).isEqualTo("off");
        }
    }

    @Test
    void refusesASecondServerOnTheSameDirectory() throws Exception {
        Path directory = temp.resolve("postgres");
        try (EmbeddedDatabase first = EmbeddedDatabase.start(directory, false)) {
            execute(first, "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (1)");

            assertThatThrownBy(() -> EmbeddedDatabase.start(directory, false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(directory.toRealPath().toString())
                    .hasMessageContaining("already in use");

            assertThat(query(first, "SELECT id FROM kept")).isEqualTo("1");
        }
        try (EmbeddedDatabase again = EmbeddedDatabase.start(directory, false)) {
            assertThat(query(again, "SELECT id FROM kept")).isEqualTo("1");
        }
    }

    @Test
    void closeStopsTheServerAndIsIdempotent() throws Exception {
        EmbeddedDatabase database = EmbeddedDatabase.start(temp.resolve("postgres"), false);
        int port = database.port();

        database.close();
        database.close();

        assertThat(accepts(port)).isFalse();
        assertThat(temp.resolve("postgres/pgdata/postmaster.pid")).doesNotExist();
    }

    @Test
    void requiresThePassword() throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.start(temp.resolve("postgres"), false)) {
            PGSimpleDataSource source = dataSource(database);
            source.setPassword(null);
            assertThatThrownBy(source::getConnection).isInstanceOf(SQLException.class);
            source.setPassword("wrong");
            assertThatThrownBy(source::getConnection).hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void reportsPromptlyWhyTheServerDidNotStartAndRecovers() throws Exception {
        Path directory = temp.resolve("postgres");
        EmbeddedDatabase.start(directory, false).close();
        Path config = directory.resolve("pgdata/postgresql.conf");
        String original = Files.readString(config);
        Files.writeString(config, original + "nonsense_parameter = 1\n");

        long began = System.nanoTime();
        assertThatThrownBy(() -> EmbeddedDatabase.start(directory, false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("did not start")
                .hasMessageContaining("unrecognized configuration parameter \"nonsense_parameter\"");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(30));

        Files.writeString(config, original);
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false)) {
            assertThat(query(database, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void runsPostgresWithoutPrivileges() throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.start(temp.resolve("postgres"), false)) {
            Map<String, String> status = status(postmasterPid(database.cluster()));
            assertThat(status.get("CapEff")).isEqualTo("0000000000000000");
            if (root()) {
                boolean ownUserNamespace = !Files.readSymbolicLink(Path.of("/proc/self/ns/user")).equals(
                        Files.readSymbolicLink(Path.of("/proc/" + postmasterPid(database.cluster()) + "/ns/user")));
                assertThat(uid(status) != 0 || ownUserNamespace).as("not plain root").isTrue();
            }
        }
    }

    @Test
    void stopsAServerLeftBehindByAKilledKiln() throws Exception {
        Path directory = temp.resolve("postgres");
        Process holder = child(List.of(), "hold", directory.toString());
        try (BufferedReader output = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(output.readLine()).isEqualTo("ready");

            assertThatThrownBy(() -> EmbeddedDatabase.start(directory, false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already in use");

            holder.destroyForcibly().waitFor();
        }
        long orphan = postmasterPid(directory.resolve("pgdata"));
        assertThat(running(orphan)).isTrue();

        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false)) {
            assertThat(query(database, "SELECT id FROM kept")).isEqualTo("7");
        }
        assertThat(running(orphan)).isFalse();
    }

    @Test
    void keepsItsPortAcrossRestartsAndTakesTheOneAskedFor() throws Exception {
        Path directory = temp.resolve("postgres");
        int first;
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false)) {
            first = database.port();
        }
        assertThat(Files.readString(directory.resolve("port")).trim()).isEqualTo(Integer.toString(first));
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false)) {
            assertThat(database.port()).isEqualTo(first);
        }
        int chosen = freePort();
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false, chosen)) {
            assertThat(database.port()).isEqualTo(chosen);
            assertThat(query(database, "SHOW port")).isEqualTo(Integer.toString(chosen));
        }
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false)) {
            assertThat(database.port()).isEqualTo(chosen);
        }
        assertThat(directory.resolve("pgdata")).isDirectory();
        try (Stream<Path> binaries = Files.list(directory)) {
            assertThat(binaries.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("pg-")))
                    .singleElement().satisfies(name -> assertThat(directory.resolve(name + "/bin/postgres")).exists());
        }
    }

    @Test
    void namesThePortWhenItIsTaken() throws Exception {
        Path directory = temp.resolve("postgres");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> EmbeddedDatabase.start(directory, false, taken.getLocalPort()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("did not start on port " + taken.getLocalPort())
                    .hasMessageContaining(directory.toRealPath().resolve("port").toString());
        }
    }

    @Test
    void startsAgainOnTheSamePortWhenThePostmasterIsKilled() throws Exception {
        // durable: a non-durable server may lose the last commit to a kill, which is what it trades for speed
        try (EmbeddedDatabase database = EmbeddedDatabase.start(temp.resolve("postgres"))) {
            execute(database, "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (3)");
            long killed = database.pid();
            int port = database.port();
            new ProcessBuilder("kill", "-9", Long.toString(killed)).start().waitFor();

            String value;
            try {
                // an SQLException while it is not back yet counts as no answer
                value = Eventually.value(Duration.ofSeconds(60), "the server to answer again", () -> query(database, "SELECT id FROM kept"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; log " + Files.readString(temp.resolve("postgres/postgres.log")), e);
            }
            assertThat(value).isEqualTo("3");
            // the server answers a moment before the supervisor has recorded it
            Eventually.await(Duration.ofSeconds(60), "the supervisor to record the new postmaster",
                    database::running);
            assertThat(database.pid()).isNotEqualTo(killed).isEqualTo(postmasterPid(database.cluster()));
            assertThat(database.port()).isEqualTo(port);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    // An exited orphan stays a zombie until whatever adopted it reaps it, and ProcessHandle counts zombies as alive.
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String text = Files.readString(stat);
        return !text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
    }

    @Test
    void asRootWithoutUserNamespacesRunsPostgresAsNobody() throws Exception {
        assumeTrue(root(), "only root takes the setpriv path");
        Path fakeBin = withoutUserNamespaces();
        Files.setAttribute(temp, "unix:mode", 0755);
        Path directory = temp.resolve("postgres");

        String first = output(child(path(fakeBin), "roundtrip", directory.toString()));
        assertThat(first).contains("isolation=SETPRIV", "value=7", "postmaster-uid=65534");
        assertThat((Integer) Files.getAttribute(directory.resolve("pgdata"), "unix:uid")).isEqualTo(65534);

        String second = output(child(path(fakeBin), "roundtrip", directory.toString()));
        assertThat(second).contains("isolation=SETPRIV", "value=7 7");

        // back in this JVM the user namespace takes over the same cluster, and hands it back to root
        try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false)) {
            assertThat(query(database, "SELECT count(*) FROM kept")).isEqualTo("2");
        }
    }

    @Test
    void asRootWithoutUserNamespacesExplainsAnUnreachableDirectory() throws Exception {
        assumeTrue(root(), "only root takes the setpriv path");
        Path fakeBin = withoutUserNamespaces();
        Files.setAttribute(temp, "unix:mode", 0755);
        Path hidden = Files.createDirectory(temp.resolve("hidden"));
        Files.setAttribute(hidden, "unix:mode", 0700);

        String result = output(child(path(fakeBin), "start", hidden.resolve("postgres").toString()));

        assertThat(result).startsWith("failed: IllegalStateException: PostgreSQL cannot run as root, so Kiln runs it"
                + " as user nobody via setpriv, which cannot enter " + hidden + " (owner uid 0, mode 700);");
    }

    @Test
    void asAnotherUserRunsPostgresAsThatUserAndWritesNothingOutsideItsDirectory() throws Exception {
        assumeTrue(root(), "needs root to become another user");
        // nobody cannot read the build's classpath under /root, so give it a copy
        Files.setAttribute(temp, "unix:mode", 0755);
        Path classpath = Files.createDirectory(temp.resolve("classpath"));
        List<String> entries = new ArrayList<>();
        int index = 0;
        for (String entry : testClasspath()) {
            Path copy = classpath.resolve(index++ + "-" + Path.of(entry).getFileName());
            copyTree(Path.of(entry), copy);
            entries.add(copy.toString());
        }
        Path home = Files.createDirectory(temp.resolve("home"));
        Path tmp = Files.createDirectory(home.resolve("tmp"));
        for (Path owned : List.of(home, tmp)) {
            Files.setAttribute(owned, "unix:uid", 65534);
        }
        Path directory = home.resolve("postgres");

        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", java(), "-Djava.io.tmpdir=" + tmp, "-cp", String.join(File.pathSeparator, entries),
                Child.class.getName(), "roundtrip", directory.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        builder.redirectError(childErrors());
        String result = output(builder.start());

        assertThat(result).contains("isolation=NONE", "value=7", "postmaster-uid=65534");
        try (Stream<Path> written = Files.list(tmp)) {
            assertThat(written).isEmpty();
        }
    }

    // Child JVMs reach paths this one cannot: a killed Kiln, a machine without user namespaces, a non-root user.
    static final class Child {
        public static void main(String[] args) throws Exception {
            Path directory = Path.of(args[1]);
            switch (args[0]) {
                case "hold": {
                    EmbeddedDatabase database = EmbeddedDatabase.start(directory, false);
                    execute(database, "CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (7)");
                    System.out.println("ready");
                    System.out.flush();
                    Thread.sleep(Long.MAX_VALUE);
                    break;
                }
                case "roundtrip": {
                    StringBuilder values = new StringBuilder();
                    long uid;
                    try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false)) {
                        execute(database, "CREATE TABLE IF NOT EXISTS kept (id int)", "INSERT INTO kept VALUES (7)");
                        uid = uid(status(postmasterPid(database.cluster())));
                    }
                    try (EmbeddedDatabase database = EmbeddedDatabase.start(directory, false)) {
                        try (Connection connection = dataSource(database).getConnection();
                                Statement statement = connection.createStatement();
                                ResultSet rows = statement.executeQuery("SELECT id FROM kept")) {
                            while (rows.next()) {
                                values.append(values.length() == 0 ? "" : " ").append(rows.getInt(1));
                            }
                        }
                    }
                    System.out.println("isolation=" + Isolation.detect() + " value=" + values
                            + " postmaster-uid=" + uid);
                    break;
                }
                case "start": {
                    try {
                        EmbeddedDatabase.start(directory, false).close();
                        System.out.println("started");
                    } catch (IllegalStateException | IOException e) {
                        System.out.println("failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    break;
                }
                default:
                    throw new IllegalArgumentException(args[0]);
            }
        }
    }

    private Process child(List<String> environmentPath, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-cp",
                String.join(File.pathSeparator, testClasspath()), Child.class.getName()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (!environmentPath.isEmpty()) {
            builder.environment().put("PATH", String.join(File.pathSeparator, environmentPath));
        }
        builder.redirectError(childErrors());
        return builder.start();
    }

    private File childErrors() {
        return temp.resolve("child.err").toFile();
    }

    // Kiln decides on user namespaces by running "unshare -U true"; an unshare that fails looks like Docker's
    private Path withoutUserNamespaces() throws IOException {
        Path bin = Files.createDirectory(temp.resolve("fake-bin"));
        Path unshare = bin.resolve("unshare");
        Files.writeString(unshare, "#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n");
        Files.setAttribute(unshare, "unix:mode", 0755);
        return bin;
    }

    private static List<String> path(Path first) {
        List<String> path = new ArrayList<>(List.of(first.toString()));
        path.addAll(List.of(System.getenv("PATH").split(File.pathSeparator)));
        return path;
    }

    private String output(Process process) throws Exception {
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("child exit status, output: %s%nerrors: %s", output,
                Files.readString(childErrors().toPath())).isZero();
        return output;
    }

    private static List<String> testClasspath() {
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                    Files.setAttribute(copy, "unix:mode", 0755);
                } else {
                    Files.copy(path, copy);
                    Files.setAttribute(copy, "unix:mode", 0644);
                }
            }
        }
    }

    private static boolean root() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long postmasterPid(Path cluster) throws IOException {
        return Long.parseLong(Files.readAllLines(cluster.resolve("postmaster.pid")).get(0).trim());
    }

    private static Map<String, String> status(long pid) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.map(line -> line.split(":\\s*", 2)).filter(parts -> parts.length == 2)
                    .collect(Collectors.toMap(parts -> parts[0], parts -> parts[1].strip()));
        }
    }

    private static long uid(Map<String, String> status) {
        return Long.parseLong(status.get("Uid").split("\\s+")[1]);
    }

    private static PGSimpleDataSource dataSource(EmbeddedDatabase database) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl("jdbc:" + database.connectionUri().replaceFirst("//postgres:[^@]+@", "//"));
        source.setUser("postgres");
        source.setPassword(database.password());
        return source;
    }

    private static void execute(EmbeddedDatabase database, String... statements) throws SQLException {
        try (Connection connection = dataSource(database).getConnection();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static String query(EmbeddedDatabase database, String sql) throws SQLException {
        try (Connection connection = dataSource(database).getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }
}
