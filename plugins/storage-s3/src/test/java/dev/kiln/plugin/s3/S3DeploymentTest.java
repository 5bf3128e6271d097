package dev.kiln.plugin.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.ShellBuilder;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/** A project whose storage is {@code s3} is deployed to and served from an S3-compatible server. */
class S3DeploymentTest {

    @TempDir
    Path temp;

    @Test
    void siteIsStoredInS3AndServedFromIt() throws Exception {
        try (S3TestServer server = new S3TestServer(); GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            server.createBucket("sites");
            repo.write("index.html", "<h1>from s3</h1>").write("css/site.css", "body{}").commit("s3 site");
            Map<String, String> settings = Map.of(
                    "storage.s3.endpoint", server.endpoint(),
                    "storage.s3.bucket", "sites",
                    "storage.s3.prefix", "kiln",
                    "storage.s3.access_key", S3TestServer.ACCESS_KEY,
                    "storage.s3.secret_key", S3TestServer.SECRET_KEY);
            try (TestKiln kiln = TestKiln.start(temp.resolve("data"), TestDatabase.freshDatabase(), host -> {
                host.register(new ShellBuilder());
                host.register(new S3StorageTargetFactory());
            }, temp.resolve("plugins"), settings)) {
                JsonObject project = kiln.createProject("On S3", repo.url(), new JsonObject().put("storage", "s3"));
                long projectId = project.getLong("id");
                long id = kiln.trigger(projectId).getLong("id");
                JsonObject deployed = kiln.awaitStatus(projectId, id, Duration.ofSeconds(60), "deployed", "failed");
                assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");

                assertThat(server.keys("sites")).contains("kiln/on-s3/" + id + "/index.html", "kiln/on-s3/" + id + "/css/site.css");
                var page = kiln.send("GET", "/sites/on-s3/", Map.of(), null);
                assertThat(page.status()).isEqualTo(200);
                assertThat(page.body()).isEqualTo("<h1>from s3</h1>");
                var css = kiln.send("GET", "/sites/on-s3/d/" + id + "/css/site.css", Map.of(), null);
                assertThat(css.header("Content-Type")).isEqualTo("text/css; charset=utf-8");
                assertThat(kiln.send("GET", "/sites/on-s3/missing.html", Map.of(), null).status()).isEqualTo(404);

                // Deleting the project deletes its files from the bucket.
                assertThat(kiln.admin("DELETE", "/projects/" + projectId, null).status()).isEqualTo(204);
                Eventually.await(Duration.ofSeconds(30), "the project's files to leave the bucket", () -> server.keys("sites").isEmpty());
            }
        }
    }
}
