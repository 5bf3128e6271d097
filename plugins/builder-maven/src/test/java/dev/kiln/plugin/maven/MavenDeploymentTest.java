package dev.kiln.plugin.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.ShellBuilder;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/** A Kiln node with the Maven builder: detection, a real (offline) Maven build, and the site served over HTTP. */
class MavenDeploymentTest {

    @TempDir
    static Path temp;
    // The build reads this machine's own Maven repository to run offline (see MavenSite), which a
    // sandboxed build may not see: this test is about Maven, the sandbox has its own tests.
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().plugins(host -> {
        host.register(new MavenBuilder());
        // A fallback that fits any repository: detection has to prefer maven over it.
        host.register(new ShellBuilder());
        host.register(new FakeStorage());
    }).settings(java.util.Map.of("builds.sandbox", "off"));

    @BeforeAll
    static void toolsInstalled() {
        RequiredTools.assumeInstalled("mvn");
    }

    @Test
    void aDetectedMavenProjectIsBuiltAndItsSiteServed() throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            for (var file : MavenSite.files("served from maven").entrySet()) {
                repo.write(file.getKey(), file.getValue());
            }
            repo.commit("maven site");
            JsonObject options = new JsonObject();
            if (MavenSite.localRepository() != null) {
                options.put("local_repository", MavenSite.localRepository());
            }
            JsonObject project = kiln.createProject("Maven site", repo.url(),
                    new JsonObject().putNull("builder").put("builder_options", options));
            long projectId = project.getLong("id");

            long deploymentId = kiln.trigger(projectId).getLong("id");
            JsonObject deployment = kiln.awaitStatus(projectId, deploymentId, Duration.ofSeconds(60), "deployed", "failed");

            assertThat(deployment.getString("status")).as(deployment.encode()).isEqualTo("deployed");
            String url = deployment.getString("deployment_url");
            TestKiln.Response page = kiln.get(url);
            assertThat(page.status() + " " + page.body()).isEqualTo("200 <h1>served from maven</h1>\n");
            assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getString("detected_framework")).isEqualTo("maven");
            String logs = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null).data()
                    .getString("build_logs");
            assertThat(logs).contains("[kiln] detected maven; building with 'maven'", "[kiln] maven: mvn --version",
                    "BUILD SUCCESS", "[kiln] output: target/site");
        }
    }
}
