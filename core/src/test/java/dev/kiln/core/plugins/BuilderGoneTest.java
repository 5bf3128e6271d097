package dev.kiln.core.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/** Detection explains itself, and a project whose builder's plugin is gone is not handed to a fallback. */
class BuilderGoneTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private static JsonObject deploy(TestKiln kiln, long projectId) throws Exception {
        return kiln.awaitStatus(projectId, kiln.trigger(projectId).getLong("id"), WAIT, "deployed", "failed");
    }

    private static String logs(TestKiln kiln, JsonObject deployment) throws Exception {
        return kiln.admin("GET", "/projects/" + deployment.getLong("project_id") + "/deployments/" + deployment.getLong("id") + "/logs", null)
                .data().getString("build_logs");
    }

    @Test
    void aDisabledPluginsProjectFailsNamingThePluginInsteadOfFallingBack() throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"));
             TestKiln kiln = TestKiln.start(temp.resolve("data"), TestDatabase.freshDatabase(), TestKiln::registerFakes,
                     temp.resolve("plugins"), Map.of())) {
            repo.write("site.txt", "pages").commit("text");
            assertThat(kiln.uploadPlugin(PluginFiles.exampleJar(temp.resolve("example"), "2.0.0")).status()).isEqualTo(201);
            long projectId = kiln.createProject("Plugin built", repo.url(), new JsonObject().putNull("builder")).getLong("id");

            JsonObject first = deploy(kiln, projectId);

            assertThat(first.getString("status")).as(first.encode()).isEqualTo("deployed");
            // Detected once, when the deployment was triggered, and explained at the top of its log.
            assertThat(logs(kiln, first)).startsWith(String.join("\n",
                    "[kiln] builder detection asked [example, shell]:",
                    "[kiln]   example: plain-text (confidence 50)",
                    "[kiln]   shell: plain (confidence 1)",
                    "[kiln] 'example' wins with the highest confidence (50)")).contains("[kiln] detected plain-text; building with 'example'");

            assertThat(kiln.admin("POST", "/plugins/builder-example/disable", null).status()).isEqualTo(200);
            JsonObject second = deploy(kiln, projectId);

            // The shell fallback fits any tree and would have published site.txt as it is.
            assertThat(second.getString("status")).isEqualTo("failed");
            assertThat(second.getString("error_message")).isEqualTo("the project's last deployment was built by builder 'example', which is gone: "
                    + "builder 'example' is supplied by plugin 'builder-example', which is disabled. Kiln does not switch the project to "
                    + "'shell' on its own: enable or install that plugin again, or set the project's builder to the one it should use now");
            assertThat(logs(kiln, second)).contains("[kiln]   shell: plain (confidence 1)", "[kiln] 'shell' wins with the highest confidence (1)");

            // Choosing the builder is the way out.
            kiln.admin("PATCH", "/projects/" + projectId, new JsonObject().put("builder", "shell"));
            assertThat(deploy(kiln, projectId).getString("status")).isEqualTo("deployed");
        }
    }
}
