package dev.kiln.plugin.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StoredArtifact;
import dev.kiln.plugin.api.StoredFile;

class S3StorageTargetTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3TestServer server;

    @TempDir
    Path temp;

    private String bucket;
    private StorageTarget target;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3TestServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void createBucket() throws Exception {
        // A bucket per test, so that tests cannot see each other's objects.
        bucket = "kiln-test-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        target = create(server.settings(bucket));
    }

    @Test
    void storesNestedFilesAndOpensEachWithTheSameBytes() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("index.html", "<h1>Hello</h1>\n".getBytes(StandardCharsets.UTF_8));
        files.put("css/site.css", "body { color: red }\n".getBytes(StandardCharsets.UTF_8));
        files.put("js/app/main.js", "console.log('hi')\n".getBytes(StandardCharsets.UTF_8));
        files.put("img/logo.bin", randomBytes(200_000, 1));
        files.put("docs/read me.txt", "spaces in keys\n".getBytes(StandardCharsets.UTF_8));
        files.put("docs/café+€.txt", "non-ASCII keys\n".getBytes(StandardCharsets.UTF_8));
        files.put("a/b/c/d/e/deep.txt", "deep\n".getBytes(StandardCharsets.UTF_8));
        files.put("empty.txt", new byte[0]);
        Path output = write(temp.resolve("out"), files);

        StoredArtifact stored = target.store("site/1", output);

        long bytes = files.values().stream().mapToLong(content -> content.length).sum();
        assertThat(stored).isEqualTo(new StoredArtifact(files.size(), bytes));
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            StoredFile opened = target.open("site/1", file.getKey()).orElseThrow();
            assertThat(opened.size()).as(file.getKey()).isEqualTo(file.getValue().length);
            assertThat(opened.localPath()).isEmpty();
            try (InputStream in = opened.openStream()) {
                assertThat(in.readAllBytes()).as(file.getKey()).isEqualTo(file.getValue());
            }
        }
        assertThat(server.keys(bucket)).hasSize(files.size()).allMatch(key -> key.startsWith("site/1/"));
    }

    @Test
    void storesContentTypesGuessedFromTheExtension() throws Exception {
        Path output = write(temp.resolve("out"), Map.of(
                "index.html", bytes("<p>"), "app.js", bytes("1"), "logo.png", new byte[] {1, 2}, "data", bytes("?")));

        target.store("site/1", output);

        assertThat(server.metadata(bucket, "site/1/index.html").contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(server.metadata(bucket, "site/1/app.js").contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(server.metadata(bucket, "site/1/logo.png").contentType()).isEqualTo("image/png");
        assertThat(server.metadata(bucket, "site/1/data").contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void storesManySmallFiles() throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            files.put("pages/" + (i % 6) + "/page-" + i + ".html", bytes("<p>page " + i + "</p>"));
        }
        Path output = write(temp.resolve("out"), files);
        target.store("warm-up/1", write(temp.resolve("warm-up"), Map.of("a.txt", bytes("a"))));

        long started = System.nanoTime();
        StoredArtifact stored = target.store("site/1", output);
        // Reported, not asserted: speed is measured in bench/, not in unit tests.
        System.out.printf("stored %d files in %d ms%n", stored.files(), (System.nanoTime() - started) / 1_000_000);

        assertThat(stored.files()).isEqualTo(60);
        assertThat(server.keys(bucket)).filteredOn(key -> key.startsWith("site/1/")).hasSize(60);
        assertThat(read(target.open("site/1", "pages/5/page-59.html").orElseThrow())).isEqualTo("<p>page 59</p>");
    }

    @Test
    void openOfAMissingFileOrADirectoryIsEmpty() throws Exception {
        target.store("site/1", write(temp.resolve("out"), Map.of("css/site.css", bytes("body {}"))));

        assertThat(target.open("site/1", "missing.html")).isEmpty();
        assertThat(target.open("site/1", "css")).isEmpty();
        assertThat(target.open("site/2", "css/site.css")).isEmpty();
    }

    @Test
    void traversalAndMalformedPathsAreEmpty() throws Exception {
        target.store("site/1", write(temp.resolve("one"), Map.of("index.html", bytes("one"))));
        target.store("site/2", write(temp.resolve("two"), Map.of("index.html", bytes("two"), "a/b.txt", bytes("b"))));

        for (String path : List.of("../2/index.html", "a/../index.html", "/index.html", "./index.html", "a\\b.txt",
                "a//b.txt", "a/", "", "..", "index.html\0")) {
            assertThat(target.open("site/2", path)).as(path).isEmpty();
        }
        for (String key : List.of("site/../site/2", "../site/2", "/site/2", "site/2/", "site\\2", "")) {
            assertThat(target.open(key, "index.html")).as(key).isEmpty();
        }
        assertThat(target.open("site/2", "a/b.txt")).isPresent();
    }

    @Test
    void storeRejectsAMalformedArtifactKey() {
        assertThatThrownBy(() -> target.store("../escape", temp))
                .isInstanceOf(StorageException.class).hasMessageContaining("invalid artifact key");
    }

    @Test
    void storingAgainReplacesWhatTheKeyHeld() throws Exception {
        target.store("site/1", write(temp.resolve("v1"), Map.of("a.txt", bytes("old a"), "gone/b.txt", bytes("b"))));

        StoredArtifact stored = target.store("site/1", write(temp.resolve("v2"), Map.of("a.txt", bytes("new a!"))));

        assertThat(stored).isEqualTo(new StoredArtifact(1, 6));
        assertThat(read(target.open("site/1", "a.txt").orElseThrow())).isEqualTo("new a!");
        assertThat(target.open("site/1", "gone/b.txt")).isEmpty();
        assertThat(server.keys(bucket)).containsExactly("site/1/a.txt");
    }

    @Test
    void deleteRemovesEverythingUnderTheKeyOnlyAndIsIdempotent() throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        for (int i = 0; i < 25; i++) {
            files.put("f" + i + ".txt", bytes("file " + i));
        }
        target.store("site/4", write(temp.resolve("four"), files));
        target.store("site/42", write(temp.resolve("forty-two"), Map.of("index.html", bytes("42"))));

        target.delete("site/4");

        assertThat(target.open("site/4", "f0.txt")).isEmpty();
        assertThat(server.keys(bucket)).containsExactly("site/42/index.html");
        target.delete("site/4");
        target.delete("never/stored");
        assertThat(read(target.open("site/42", "index.html").orElseThrow())).isEqualTo("42");
    }

    @Test
    void storeFollowsLinksWithinTheOutputOnly() throws Exception {
        Path outside = write(temp.resolve("outside"), Map.of("secret.txt", bytes("private"), "dir/x.txt", bytes("x")));
        Path output = write(temp.resolve("out"), Map.of("real/file.txt", bytes("real")));
        Files.createSymbolicLink(output.resolve("inside-link.txt"), output.resolve("real/file.txt"));
        Files.createSymbolicLink(output.resolve("inside-dir"), output.resolve("real"));
        Files.createSymbolicLink(output.resolve("outside-link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(output.resolve("outside-dir"), outside.resolve("dir"));
        Files.createSymbolicLink(output.resolve("dangling.txt"), temp.resolve("nothing-here"));
        Files.createSymbolicLink(output.resolve("real/loop"), output);

        StoredArtifact stored = target.store("site/1", output);

        assertThat(server.keys(bucket)).containsExactlyInAnyOrder(
                "site/1/real/file.txt", "site/1/inside-link.txt", "site/1/inside-dir/file.txt");
        assertThat(stored).isEqualTo(new StoredArtifact(3, 12));
    }

    @Test
    void aPrefixIsPutBeforeEveryKey() throws Exception {
        Map<String, String> settings = new HashMap<>(server.settings(bucket));
        settings.put("prefix", "/tenants/blue/");
        StorageTarget prefixed = create(settings);

        prefixed.store("site/1", write(temp.resolve("out"), Map.of("index.html", bytes("blue"))));

        assertThat(server.keys(bucket)).containsExactly("tenants/blue/site/1/index.html");
        assertThat(read(prefixed.open("site/1", "index.html").orElseThrow())).isEqualTo("blue");
        assertThat(target.open("site/1", "index.html")).isEmpty();
        prefixed.delete("site/1");
        assertThat(server.keys(bucket)).isEmpty();
    }

    @Test
    void credentialsMayComeFromTheEnvironment() throws Exception {
        StorageTarget fromEnvironment = new S3StorageTargetFactory().create(new StorageContext(temp,
                Map.of("endpoint", server.endpoint(), "bucket", bucket),
                Map.of("AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_KEY)));

        fromEnvironment.store("site/1", write(temp.resolve("out"), Map.of("index.html", bytes("env"))));

        assertThat(read(fromEnvironment.open("site/1", "index.html").orElseThrow())).isEqualTo("env");
    }

    @Test
    void wrongCredentialsFailWithAClearMessageAndNoSecret() throws Exception {
        String wrongSecret = "wrong-secret-5d1e0b7a";
        Map<String, String> settings = new HashMap<>(server.settings(bucket));
        settings.put("secret_key", wrongSecret);
        StorageTarget refused = create(settings);
        Path output = write(temp.resolve("out"), Map.of("index.html", bytes("x")));

        assertThatThrownBy(() -> refused.store("site/1", output))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("access denied")
                .hasMessageContaining(bucket)
                .hasMessageContaining(server.endpoint())
                .hasMessageNotContaining(wrongSecret)
                .hasMessageNotContaining(S3TestServer.SECRET_KEY);
        assertThatThrownBy(() -> refused.open("site/1", "index.html"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("access denied")
                .hasMessageNotContaining(wrongSecret);
        assertThatThrownBy(() -> refused.delete("site/1"))
                .isInstanceOf(StorageException.class)
                .hasMessageNotContaining(wrongSecret);
    }

    @Test
    void aMissingBucketFailsWithAClearMessage() throws Exception {
        StorageTarget missing = create(server.settings("no-such-bucket"));
        Path output = write(temp.resolve("out"), Map.of("index.html", bytes("x")));

        assertThatThrownBy(() -> missing.store("site/1", output))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("'no-such-bucket'")
                .hasMessageContaining("does not exist");
    }

    @Test
    void anUnreachableEndpointFailsWithAClearMessageAndNoSecret() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> settings = new HashMap<>(server.settings(bucket));
        settings.put("endpoint", "http://127.0.0.1:" + closedPort);
        StorageTarget unreachable = create(settings);
        Path output = write(temp.resolve("out"), Map.of("index.html", bytes("x")));

        assertThatThrownBy(() -> unreachable.store("site/1", output))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("cannot reach")
                .hasMessageContaining("http://127.0.0.1:" + closedPort)
                .hasMessageContaining(bucket)
                .hasMessageNotContaining(S3TestServer.SECRET_KEY);
        assertThatThrownBy(() -> unreachable.open("site/1", "index.html"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("cannot reach")
                .hasMessageNotContaining(S3TestServer.SECRET_KEY);
    }

    @Test
    void aFileDeletedAfterOpeningFailsToRead() throws Exception {
        target.store("site/1", write(temp.resolve("out"), Map.of("index.html", bytes("x"))));
        StoredFile opened = target.open("site/1", "index.html").orElseThrow();

        target.delete("site/1");

        assertThatThrownBy(opened::openStream).isInstanceOf(IOException.class).hasMessageContaining("gone");
    }

    @Test
    void aMissingOutputDirectoryFails() {
        assertThatThrownBy(() -> target.store("site/1", temp.resolve("absent")))
                .isInstanceOf(StorageException.class).hasMessageContaining("could not read the build output");
    }

    private StorageTarget create(Map<String, String> settings) throws StorageException {
        return new S3StorageTargetFactory().create(new StorageContext(temp, settings, Map.of()));
    }

    private static Path write(Path directory, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(directory);
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path path = directory.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.write(path, file.getValue());
        }
        return directory;
    }

    private static String read(StoredFile file) throws IOException {
        try (InputStream in = file.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
