package dev.kiln.plugin.hugo;

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
import org.eclipse.jgit.api.Git;

/** A Kiln node with the Hugo builder: detection, a real hugo build, and the site served over HTTP. */
class HugoDeploymentTest {

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().plugins(host -> {
        host.register(new HugoBuilder());
        // A fallback that fits any repository: detection has to prefer hugo over it.
        host.register(new ShellBuilder());
        host.register(new FakeStorage());
    });

    @BeforeAll
    static void toolsInstalled() {
        RequiredTools.assumeInstalled("hugo");
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

    @Test
    void aThemeThatIsASubmoduleIsCheckedOutAndUsed() throws Exception {
        // As the PaperMod example site is set up: the theme a submodule, both repositories bare on a server.
        try (GitRepo theme = GitRepo.create(temp.resolve("theme-work"))) {
            theme.write("layouts/index.html", "<h1>{{ .Title }} in the submodule theme</h1>").write("theme.toml", "name = 'paper'\n")
                    .commit("theme");
            String themeUrl = bare(theme.url(), temp.resolve("theme.git"));
            Path siteWork = temp.resolve("site-work");
            try (GitRepo site = GitRepo.create(siteWork);
                 Git siteGit = Git.open(siteWork.toFile())) {
                site.write("hugo.toml", "baseURL = 'https://example.org/'\ntitle = 'Themed'\ntheme = 'paper'\ndisableKinds = ['taxonomy', 'term']\n")
                        .write("content/_index.md", "---\ntitle: Home\n---\n");
                siteGit.submoduleAdd().setPath("themes/paper").setURI(themeUrl).call().close();
                site.commit("site with a theme submodule");
                String siteUrl = bare(site.url(), temp.resolve("site.git"));
                JsonObject project = kiln.createProject("Themed site", siteUrl, new JsonObject().putNull("builder"));
                long projectId = project.getLong("id");

                long deploymentId = kiln.trigger(projectId).getLong("id");
                JsonObject deployment = kiln.awaitStatus(projectId, deploymentId, Duration.ofSeconds(60), "deployed", "failed");

                assertThat(deployment.getString("status")).as(deployment.encode()).isEqualTo("deployed");
                String url = deployment.getString("deployment_url");
                TestKiln.Response page = kiln.get(url);
                assertThat(page.body()).contains("<h1>Home in the submodule theme</h1>");
                String logs = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null).data()
                        .getString("build_logs");
                assertThat(logs).containsPattern("\\[kiln\\] submodule 'themes/paper' at [0-9a-f]{40} from " + java.util.regex.Pattern.quote(themeUrl));
            }
        }
    }

    /** A bare clone, as a Git server holds it; its file:// URL. */
    private static String bare(String source, Path directory) throws Exception {
        Git.cloneRepository().setURI(source).setDirectory(directory.toFile()).setBare(true).call().close();
        return directory.toUri().toString();
    }
}
