package dev.kiln.plugin.hugo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.ShellBuilder;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/** A Kiln node with the Hugo builder: detection, a real hugo build, and the site served over HTTP. */
class HugoDeploymentTest {

    @TempDir
    static Path temp;
    static TestKiln kiln;

    @BeforeAll
    static void start() throws Exception {
        RequiredTools.assumeInstalled("hugo");
        kiln = TestKiln.start(temp.resolve("data"), TestDatabase.freshDatabase(), host -> {
            host.register(new HugoBuilder());
            // A fallback that fits any repository: detection has to prefer hugo over it.
            host.register(new ShellBuilder());
            host.register(new FakeStorage());
        });
    }

    @AfterAll
    static void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    @Test
    void aDetectedHugoSiteIsBuiltForItsDeploymentUrlAndServed() throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            for (var file : HugoSite.files().entrySet()) {
                repo.write(file.getKey(), file.getValue());
            }
            repo.commit("hugo site");
            JsonObject project = kiln.createProject("Hugo site", repo.url(), new JsonObject().putNull("builder"));
            long projectId = project.getLong("id");

            long deploymentId = kiln.trigger(projectId).getLong("id");
            JsonObject deployment = kiln.awaitStatus(projectId, deploymentId, Duration.ofSeconds(60), "deployed", "failed");

            assertThat(deployment.getString("status")).as(deployment.encode()).isEqualTo("deployed");
            String url = deployment.getString("deployment_url");
            TestKiln.Response page = kiln.get(url);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("<h1>Home</h1>", "<p>Hello from <em>Hugo</em>.</p>", "href=" + url + "about/");
            assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getString("detected_framework")).isEqualTo("hugo");
            String logs = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null).data()
                    .getString("build_logs");
            assertThat(logs).contains("[kiln] detected hugo; building with 'hugo'", "[kiln] hugo: hugo version",
                    "[kiln] build: hugo --minify --baseURL " + url + " --destination public");
        }
    }
}
