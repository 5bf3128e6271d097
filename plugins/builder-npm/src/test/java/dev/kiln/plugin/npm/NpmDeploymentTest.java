package dev.kiln.plugin.npm;

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

/** A Kiln node with the npm builder: detection, a real npm build, and the site served over HTTP. */
class NpmDeploymentTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path temp;
    static TestKiln kiln;

    @BeforeAll
    static void start() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        kiln = TestKiln.start(temp.resolve("data"), TestDatabase.freshDatabase(), host -> {
            host.register(new NpmBuilder());
            // A fallback that fits any repository: detection has to prefer npm over it.
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

    private static JsonObject deploy(JsonObject project) throws Exception {
        long projectId = project.getLong("id");
        long deploymentId = kiln.trigger(projectId).getLong("id");
        return kiln.awaitStatus(projectId, deploymentId, WAIT, "deployed", "failed");
    }

    private static String page(String url) throws Exception {
        TestKiln.Response response = kiln.get(url);
        return response.status() + " " + response.body();
    }

    private static String logs(JsonObject deployment) throws Exception {
        return kiln.admin("GET", "/projects/" + deployment.getLong("project_id") + "/deployments/" + deployment.getLong("id") + "/logs", null)
                .data().getString("build_logs");
    }

    @Test
    void aDetectedNpmProjectIsBuiltWithNpmCiAndServed() throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("plain-repo"))) {
            repo.write("package.json", "{\"name\": \"locked\", \"version\": \"1.0.0\", \"scripts\": {\"build\": \"node build.js\"}}")
                    .write("package-lock.json", NpmBuilderTest.LOCKFILE).write("build.js", NpmBuilderTest.BUILD_JS).commit("npm site");
            JsonObject project = kiln.createProject("Npm site", repo.url(), new JsonObject().putNull("builder"));

            JsonObject deployment = deploy(project);

            assertThat(deployment.getString("status")).as(deployment.encode()).isEqualTo("deployed");
            assertThat(page(deployment.getString("deployment_url"))).isEqualTo("200 <h1>built on main</h1>");
            assertThat(kiln.admin("GET", "/projects/" + project.getLong("id"), null).data().getString("detected_framework")).isEqualTo("npm");
            assertThat(logs(deployment)).contains("[kiln] detected npm; building with 'npm'", "[kiln] install: npm ci",
                    "[kiln] build: npm run build", "> node build.js", "[kiln] output: dist");
        }
    }

    @Test
    void aFrameworkIsRecordedAndItsOutputServed() throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("vite-repo"))) {
            repo.write("package.json", "{\"name\": \"vite-site\", \"scripts\": {\"build\": \"node build.js\"}, "
                            + "\"devDependencies\": {\"vite\": \"^5.0.0\"}}")
                    .write("build.js", NpmBuilderTest.BUILD_JS).write("public/robots.txt", "User-agent: *").commit("vite site");
            // The test cannot download vite; the project's own install step stands in for it.
            JsonObject project = kiln.createProject("Vite site", repo.url(),
                    new JsonObject().put("builder", "npm").put("install_command", "echo vendored"));

            JsonObject deployment = deploy(project);

            assertThat(deployment.getString("status")).as(deployment.encode()).isEqualTo("deployed");
            assertThat(page(deployment.getString("deployment_url"))).isEqualTo("200 <h1>built on main</h1>");
            assertThat(kiln.admin("GET", "/projects/" + project.getLong("id"), null).data().getString("detected_framework")).isEqualTo("vite");
        }
    }

    @Test
    void aFailedBuildShowsNpmsErrorInTheDeployment() throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("failing-repo"))) {
            repo.write("package.json", "{\"name\": \"failing\", \"scripts\": {\"build\": \"node -e \\\"console.error('boom'); process.exit(2)\\\"\"}}")
                    .commit("broken");
            JsonObject project = kiln.createProject("Failing npm", repo.url(), new JsonObject().put("builder", "npm"));

            JsonObject deployment = deploy(project);

            assertThat(deployment.getString("status")).isEqualTo("failed");
            assertThat(deployment.getString("error_message")).startsWith("`npm run build` exited with code 2").contains("boom");
        }
    }
}
