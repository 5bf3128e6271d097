package dev.kiln.core.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonObject;

/** Disable, enable and remove, and that the state outlives a restart. */
class PluginStateTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private TestKiln start(String databaseUrl) throws Exception {
        return TestKiln.start(temp.resolve("data"), databaseUrl, TestKiln::registerFakes, temp.resolve("plugins"), Map.of());
    }

    private static Response upload(TestKiln kiln, byte[] file) throws Exception {
        return kiln.uploadPlugin(file);
    }

    private static JsonObject plugin(TestKiln kiln, String id) throws Exception {
        return kiln.admin("GET", "/plugins", null).json().getJsonArray("data").stream().map(JsonObject.class::cast)
                .filter(plugin -> id.equals(plugin.getString("id"))).findFirst().orElse(null);
    }

    private static JsonObject deploy(TestKiln kiln, long projectId) throws Exception {
        return kiln.awaitStatus(projectId, kiln.trigger(projectId).getLong("id"), WAIT, "deployed", "failed");
    }

    @Test
    void disabledPluginsOfferNothingAndStayDisabledAfterARestart() throws Exception {
        String database = TestDatabase.freshDatabase();
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            repo.write("site.txt", "stateful").commit("text");
            long projectId;
            try (TestKiln kiln = start(database)) {
                assertThat(upload(kiln, PluginFiles.exampleJar(temp.resolve("example"), "2.0.0")).status()).isEqualTo(201);
                byte[] zip = PluginFiles.zip(Map.of("plugin.id", "zipped", "plugin.version", "0.3.0", "plugin.class", "test.zipped.TestPlugin"),
                        PluginFiles.compile(temp.resolve("zipped"), PluginFiles.builder("test.zipped", "zipped",
                                "throw new BuildException(\"unused\");")), Map.of());
                assertThat(upload(kiln, zip).status()).isEqualTo(201);
                projectId = kiln.createProject("Stateful", repo.url(), new JsonObject().put("builder", "example")).getLong("id");

                Response disabled = kiln.admin("POST", "/plugins/builder-example/disable", null);
                assertThat(disabled.status()).isEqualTo(200);
                assertThat(disabled.data().getString("state")).isEqualTo("disabled");
                assertThat(disabled.data().getJsonArray("builders")).isEmpty();
                JsonObject failed = deploy(kiln, projectId);
                assertThat(failed.getString("status")).isEqualTo("failed");
                assertThat(failed.getString("error_message"))
                        .isEqualTo("builder 'example' is supplied by plugin 'builder-example', which is disabled");
            }

            try (TestKiln kiln = start(database)) {
                assertThat(plugin(kiln, "builder-example").getString("state")).isEqualTo("disabled");
                assertThat(plugin(kiln, "builder-example").getString("version")).isEqualTo("2.0.0");
                assertThat(plugin(kiln, "zipped").getString("state")).isEqualTo("started");
                assertThat(plugin(kiln, "zipped").getJsonArray("builders")).containsExactly("zipped");
                Response one = kiln.admin("GET", "/plugins/zipped", null);
                assertThat(one.status()).isEqualTo(200);
                assertThat(one.data().getString("version")).isEqualTo("0.3.0");
                assertThat(kiln.admin("GET", "/plugins/nothing-here", null).status()).isEqualTo(404);
                assertThat(deploy(kiln, projectId).getString("error_message")).contains("builder 'example' is not installed",
                        "disabled plugins: [builder-example]");

                Response enabled = kiln.admin("POST", "/plugins/builder-example/enable", null);
                assertThat(enabled.status()).isEqualTo(200);
                assertThat(enabled.data().getString("state")).isEqualTo("started");
                assertThat(deploy(kiln, projectId).getString("status")).isEqualTo("deployed");

                assertThat(kiln.admin("DELETE", "/plugins/builder-example", null).status()).isEqualTo(204);
                assertThat(plugin(kiln, "builder-example")).isNull();
                assertThat(Files.exists(temp.resolve("data").resolve("plugins").resolve("builder-example-2.0.0.jar"))).isFalse();
                assertThat(deploy(kiln, projectId).getString("error_message")).contains("builder 'example' is not installed");
            }

            try (TestKiln kiln = start(database)) {
                assertThat(plugin(kiln, "builder-example")).isNull();
                assertThat(plugin(kiln, "zipped").getString("state")).isEqualTo("started");
            }
        }
    }
}
