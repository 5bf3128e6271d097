package dev.kiln.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.ShellBuilder;
import io.vertx.core.json.JsonObject;

/** Only the newest {@code artifacts.keep} deployments keep their files; and clearing the build cache. */
class ArtifactRetentionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static final FakeStorage STORAGE = new FakeStorage();

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().plugins(host -> {
        host.register(new ShellBuilder());
        host.register(STORAGE);
    }).settings(Map.of("artifacts.keep", "2"));
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "kept").commit("one");
    }

    private static JsonObject deployment(long projectId, long deploymentId) throws Exception {
        return kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId, null).data();
    }

    /** Pruning follows the deployed state by a moment; wait for it as for any state. */
    private static JsonObject awaitPruned(long projectId, long deploymentId) throws Exception {
        return Eventually.value(WAIT, "deployment " + deploymentId + " to be pruned", () -> {
            JsonObject deployment = deployment(projectId, deploymentId);
            return deployment.getBoolean("pruned") ? deployment : null;
        });
    }

    @Test
    void onlyTheNewestDeploymentsKeepTheirFiles() throws Exception {
        long projectId = kiln.createProject("Retained", repo.url(), null).getLong("id");
        List<JsonObject> deployed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonObject queued = kiln.trigger(projectId);
            deployed.add(kiln.awaitStatus(projectId, queued.getLong("id"), WAIT, "deployed", "failed"));
        }
        assertThat(deployed).allMatch(deployment -> "deployed".equals(deployment.getString("status")));

        JsonObject oldest = awaitPruned(projectId, deployed.get(0).getLong("id"));
        JsonObject second = awaitPruned(projectId, deployed.get(1).getLong("id"));
        assertThat(oldest.getBoolean("pruned")).isTrue();
        assertThat(second.getBoolean("pruned")).isTrue();
        assertThat(deployment(projectId, deployed.get(2).getLong("id")).getBoolean("pruned")).isFalse();
        JsonObject newest = deployment(projectId, deployed.get(3).getLong("id"));
        assertThat(newest.getBoolean("pruned")).isFalse();
        assertThat(newest.getBoolean("active")).isTrue();

        String slug = kiln.admin("GET", "/projects/" + projectId, null).data().getString("slug");
        assertThat(STORAGE.has(slug + "/" + oldest.getLong("id"))).isFalse();
        assertThat(STORAGE.has(slug + "/" + newest.getLong("id"))).isTrue();
        String url = oldest.getString("deployment_url");
        assertThat(kiln.get(url).status()).isEqualTo(404);
        var rollback = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + oldest.getLong("id") + "/rollback", null);
        assertThat(rollback.status()).isEqualTo(422);
        assertThat(rollback.body()).contains("pruned");
    }

    @Test
    void theBuildCacheCanBeCleared() throws Exception {
        long projectId = kiln.createProject("Cached", repo.url(), null).getLong("id");
        Path cache = kiln.dataDirectory().resolve("cache").resolve("project-" + projectId);
        Files.createDirectories(cache.resolve("shell/node_modules"));
        Files.writeString(cache.resolve("shell/node_modules/big.js"), "cached");
        Path otherCache = kiln.dataDirectory().resolve("cache").resolve("project-" + (projectId + 1000));
        Files.createDirectories(otherCache);

        assertThat(kiln.admin("DELETE", "/projects/" + projectId + "/cache", null).status()).isEqualTo(204);
        assertThat(cache).doesNotExist();
        assertThat(otherCache).exists();
        assertThat(kiln.admin("DELETE", "/projects/" + projectId + "/cache", null).status()).isEqualTo(204);
        assertThat(kiln.admin("DELETE", "/projects/999999/cache", null).status()).isEqualTo(404);

        long otherProject = kiln.createProject("Other", repo.url(), null).getLong("id");
        String limited = kiln.admin("POST", "/tokens", new JsonObject().put("name", "other").put("project_ids",
                new io.vertx.core.json.JsonArray().add(otherProject))).data().getString("token");
        assertThat(kiln.api("DELETE", "/projects/" + projectId + "/cache", limited, null).status()).isEqualTo(403);
    }
}
