package dev.kiln.plugin.npm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

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

/** A Kiln node with the npm builder: detection, a real npm build, and the site served over HTTP. */
class NpmDeploymentTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().plugins(host -> {
        host.register(new NpmBuilder());
        // A fallback that fits any repository: detection has to prefer npm over it.
        host.register(new ShellBuilder());
        host.register(new FakeStorage());
    });

    @BeforeAll
    static void toolsInstalled() {
        RequiredTools.assumeInstalled("node", "npm");
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

    @Test
    void aFailedNpmCiNamesItsCauseNotItsUsageText() throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("out-of-sync-repo"))) {
            // The lockfile lacks the dependency: npm ci refuses before it reaches the registry.
            repo.write("package.json", "{\"name\": \"locked\", \"version\": \"1.0.0\", \"scripts\": {\"build\": \"node build.js\"}, "
                            + "\"dependencies\": {\"left-pad\": \"1.3.0\"}}")
                    .write("package-lock.json", NpmBuilderTest.LOCKFILE).write("build.js", NpmBuilderTest.BUILD_JS).commit("out of sync");
            JsonObject project = kiln.createProject("Out of sync", repo.url(), new JsonObject().put("builder", "npm"));

            JsonObject deployment = deploy(project);

            assertThat(deployment.getString("status")).isEqualTo("failed");
            String message = deployment.getString("error_message");
            assertThat(message).startsWith("`npm ci` exited with code 1; first errors:")
                    .contains("package.json and package-lock.json", "are in sync", "Missing: left-pad@1.3.0 from lock file")
                    .doesNotContain("\u001B");
            assertThat(message.indexOf("are in sync")).isLessThan(message.indexOf("last lines:"));
            assertThat(logs(deployment)).doesNotContain("Unknown env config");
        }
    }

    @Test
    void aWorkspaceOfAMonorepoIsInstalledWithNpmCiAtTheRoot() throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve("monorepo"))) {
            repo.write("package.json", "{\"name\": \"mono\", \"private\": true, \"workspaces\": [\"apps/*\"]}")
                    .write("package-lock.json", MONOREPO_LOCKFILE)
                    .write("apps/web/package.json", "{\"name\": \"web\", \"version\": \"1.0.0\", \"scripts\": {\"build\": \"node build.js\"}}")
                    // npm ci at the root links every workspace into the root's node_modules.
                    .write("apps/web/build.js", """
                            const fs = require('fs');
                            fs.mkdirSync('dist', {recursive: true});
                            fs.writeFileSync('dist/index.html', 'linked: ' + fs.existsSync('../../node_modules/web/package.json'));
                            """)
                    .commit("monorepo");
            JsonObject project = kiln.createProject("Monorepo web", repo.url(), new JsonObject().putNull("builder").put("root_directory", "apps/web"));

            JsonObject deployment = deploy(project);

            assertThat(deployment.getString("status")).as(deployment.encode()).isEqualTo("deployed");
            assertThat(page(deployment.getString("deployment_url"))).isEqualTo("200 linked: true");
            assertThat(logs(deployment)).contains("[kiln] package manager: npm (../../package-lock.json)",
                    "[kiln] install: npm ci in the repository root", "[kiln] build: npm run build").doesNotContain("no lockfile");
        }
    }

    /** What npm install writes for a root with one workspace and no dependencies: npm ci needs no registry. */
    private static final String MONOREPO_LOCKFILE = """
            {"name": "mono", "lockfileVersion": 3, "requires": true,
             "packages": {"": {"name": "mono", "workspaces": ["apps/*"]},
                          "apps/web": {"version": "1.0.0"},
                          "node_modules/web": {"resolved": "apps/web", "link": true}}}
            """;
}
