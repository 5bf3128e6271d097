package dev.kiln.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.ShellBuilder;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonObject;

/**
 * Sites served from this node's disk: small files from memory, large ones with zero copy, both
 * with the static host's validators, ranges and compression.
 */
class LocalSitesTest {

    @TempDir
    Path temp;

    @Test
    void smallAndLargeLocalFilesAreServedAsAStaticHostServesThem() throws Exception {
        String small = "small text file, held in memory. ".repeat(20);
        String large = "a large text file sent from disk, line after line.\n".repeat(4000);
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"));
             TestKiln kiln = TestKiln.start(temp.resolve("data"), TestDatabase.freshDatabase(), host -> {
                 host.register(new ShellBuilder());
                 host.register(new LocalStorageFactory());
             })) {
            repo.write("index.html", small).write("large.txt", large).write("data.bin", large).commit("files");
            JsonObject project = kiln.createProject("On Disk", repo.url(), null);
            JsonObject deployed = kiln.awaitStatus(project.getLong("id"), kiln.trigger(project.getLong("id")).getLong("id"),
                    Duration.ofSeconds(60), "deployed", "failed");
            assertThat(deployed.getString("status")).isEqualTo("deployed");
            String site = project.getString("production_url");

            for (String file : new String[] {"", "large.txt"}) {
                String content = file.isEmpty() ? small : large;
                Response whole = kiln.get(site + file);
                assertThat(whole.status()).isEqualTo(200);
                assertThat(whole.body()).isEqualTo(content);
                String etag = whole.header("ETag");
                assertThat(kiln.site("GET", site + file, Map.of("If-None-Match", etag)).status()).isEqualTo(304);
                Response range = kiln.site("GET", site + file, Map.of("Range", "bytes=2-9"));
                assertThat(range.status()).isEqualTo(206);
                assertThat(range.body()).isEqualTo(content.substring(2, 10));
                Response gzip = kiln.site("GET", site + file, Map.of("Accept-Encoding", "gzip"));
                assertThat(gzip.header("Content-Encoding")).isEqualTo("gzip");
                assertThat(gzip.header("Vary")).isEqualTo("Accept-Encoding");
            }
            Response binary = kiln.site("GET", site + "data.bin", Map.of("Accept-Encoding", "gzip"));
            assertThat(binary.header("Content-Type")).isEqualTo("application/octet-stream");
            assertThat(binary.header("Content-Encoding")).isIn(null, "identity");
            assertThat(binary.body()).isEqualTo(large);
        }
    }
}
