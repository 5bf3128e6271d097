package dev.kiln.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.Detection;
import io.vertx.core.json.JsonObject;

/** Kiln applies a project's output_directory itself, to what any builder returns. */
class ProjectBuildSettingsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().plugins(host -> {
        TestKiln.registerFakes(host);
        host.register(new CarelessBuilder());
    });

    /** Written without a look at the project's settings: it always deploys the source directory. */
    static final class CarelessBuilder implements Builder {

        @Override
        public String id() {
            return "careless";
        }

        @Override
        public Optional<Detection> detect(Path sourceDirectory) {
            return Optional.empty();
        }

        @Override
        public BuildOutput build(BuildContext context) {
            return new BuildOutput(context.sourceDirectory(), "careless");
        }
    }

    private GitRepo repository() throws Exception {
        GitRepo repo = kiln.repository("repo-" + System.nanoTime());
        repo.write("index.html", "the sources").write("dist/index.html", "the built site").commit("first");
        return repo;
    }

    @Test
    void theProjectsOutputDirectoryWinsOverWhatTheBuilderReturns() throws Exception {
        JsonObject project = kiln.createProject("Careless dist", repository().url(),
                new JsonObject().put("builder", "careless").put("output_directory", "dist"));
        long projectId = project.getLong("id");
        long deploymentId = kiln.trigger(projectId).getLong("id");

        JsonObject deployed = kiln.awaitStatus(projectId, deploymentId, WAIT, "deployed", "failed");

        assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");
        TestKiln.Response page = kiln.get(deployed.getString("deployment_url"));
        assertThat(page.status() + " " + page.body()).isEqualTo("200 the built site");
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null).data()
                .getString("build_logs")).contains("output: dist (the project's output_directory)");
    }

    @Test
    void aMissingOutputDirectoryFailsWhateverTheBuilder() throws Exception {
        JsonObject project = kiln.createProject("Careless missing", repository().url(),
                new JsonObject().put("builder", "careless").put("output_directory", "public"));
        long projectId = project.getLong("id");
        long deploymentId = kiln.trigger(projectId).getLong("id");

        JsonObject failed = kiln.awaitStatus(projectId, deploymentId, WAIT, "deployed", "failed");

        assertThat(failed.getString("status")).as(failed.encode()).isEqualTo("failed");
        assertThat(failed.getString("error_message")).contains("output_directory 'public' does not exist after the build");
    }
}
