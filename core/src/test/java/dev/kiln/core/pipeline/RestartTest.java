package dev.kiln.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/** A node that stops in the middle of a build resumes the deployment when it starts again. */
class RestartTest {

    @TempDir
    Path temp;

    @Test
    void deploymentInProgressIsResumedAfterRestart() throws Exception {
        String database = TestDatabase.freshDatabase();
        Path data = temp.resolve("data");
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            repo.write("index.html", "resumed").commit("one");
            long projectId;
            long deploymentId;
            // The first attempt hangs; the second one, after the restart, finishes. The marker is in the
            // build's HOME, inside the project's cache: the one place a sandboxed build keeps files between attempts.
            String build = "if [ ! -f \"$HOME/first-attempt\" ]; then touch \"$HOME/first-attempt\"; sleep 600; fi; echo second attempt";
            try (TestKiln first = TestKiln.start(data, database, TestKiln::registerFakes)) {
                projectId = first.createProject("Restarted", repo.url(), new JsonObject().put("build_command", build)).getLong("id");
                deploymentId = first.trigger(projectId).getLong("id");
                Path marker = data.resolve("cache").resolve("project-" + projectId).resolve("home").resolve("first-attempt");
                first.awaitStatus(projectId, deploymentId, Duration.ofSeconds(60), "building");
                // "building" is set just before the builder starts its process: wait for the process itself.
                Eventually.await(Duration.ofSeconds(60), "the first attempt's build process to start", () -> Files.exists(marker));
            }
            try (TestKiln second = TestKiln.start(data, database, TestKiln::registerFakes)) {
                JsonObject deployed = second.awaitStatus(projectId, deploymentId, Duration.ofSeconds(60), "deployed", "failed");
                assertThat(deployed.getString("status")).isEqualTo("deployed");
                assertThat(deployed.getInteger("attempt")).isEqualTo(2);
                String logs = second.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null)
                        .data().getString("build_logs");
                assertThat(logs).contains("attempt 2", "second attempt");
            }
        }
    }
}
