package dev.kiln.core.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The dashboard in a real headless Chromium: every test signs in through the page, does what a
 * user would, checks the result through the API too, saves a screenshot and ends with no
 * console error.
 */
class DashboardBrowserTest {

    private static final Duration BUILD = Duration.ofSeconds(90);

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    Browser browser;
    String testName;

    @BeforeAll
    static void browserInstalled() {
        Browser.assumeInstalled();
    }

    @BeforeEach
    void openBrowser(TestInfo info) throws Exception {
        testName = info.getTestMethod().orElseThrow().getName();
        browser = Browser.open(kiln.baseUrl(), kiln.directory("browser"));
    }

    @AfterEach
    void closeBrowser() throws Exception {
        try {
            browser.screenshot(testName);
            assertThat(browser.consoleErrors()).as("console errors and warnings").isEmpty();
        } finally {
            browser.close();
        }
    }

    private static GitRepo repo(String name, String content, String message) throws Exception {
        GitRepo repo = GitRepo.create(kiln.directory(name));
        repo.write("index.html", content).commit(message);
        return repo;
    }

    /** A site URL the API handed out ({@code http://{slug}.localhost:port/}), fetched from this node. */
    private static String fetch(String url) throws Exception {
        return kiln.get(url).body();
    }

    private static long lastNumber(String path) {
        Matcher matcher = Pattern.compile("(\\d+)$").matcher(path);
        assertThat(matcher.find()).as(path).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private JsonObject deployment(long projectId, long deploymentId) throws Exception {
        return kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId, null).data();
    }

    @Test
    void signInCreateAProjectDeployAndWatchTheLogLive() throws Exception {
        try (GitRepo repo = repo("live-repo", "<h1>live one</h1>", "First page")) {
            browser.size(1280, 1500);
            browser.go("/");
            browser.signIn(TestKiln.ADMIN);
            browser.await(driver -> browser.path().equals("/projects"));
            browser.link("New project").click();
            browser.await(driver -> browser.path().equals("/projects/new"));
            browser.field("Name").sendKeys("Live site");
            browser.field("Repository URL").sendKeys(repo.url());
            new Select(browser.field("Builder")).selectByVisibleText("shell");
            browser.driver().findElement(By.xpath("//summary[normalize-space()='Build settings']")).click();
            browser.field("Build command").sendKeys("for i in 1 2 3 4 5 6; do echo \"step $i\"; sleep 1; done; "
                    + "printf '\\033[32mgreen done\\033[0m\\n'");
            browser.button("Create project").click();
            browser.await(driver -> browser.path().matches("/projects/\\d+"));
            long projectId = lastNumber(browser.path());
            assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getString("name")).isEqualTo("Live site");

            browser.button("Deploy").click();
            browser.text("is queued");
            WebElement row = browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tbody tr[data-id] td a")));
            row.click();
            browser.await(driver -> browser.path().matches("/projects/\\d+/deployments/\\d+"));
            long deploymentId = lastNumber(browser.path());

            // A line arrives on the page while the build still runs: the log is live, not loaded at the end.
            browser.text("step 2");
            assertThat(deployment(projectId, deploymentId).getString("status")).isIn("building", "cloning");
            browser.screenshot("deployment-live");
            WebElement green = browser.await(Duration.ofSeconds(60), ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".log .a-f2")));
            assertThat(green.getText()).isEqualTo("green done");
            browser.await(BUILD, ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".log-state"), "Finished: deployed"));
            List<String> lines = browser.driver().findElements(By.cssSelector(".log .line .t")).stream().map(WebElement::getText).toList();
            assertThat(lines).contains("step 1", "step 6", "green done");
            assertThat(lines.stream().filter(line -> line.startsWith("step ")).toList())
                    .containsExactly("step 1", "step 2", "step 3", "step 4", "step 5", "step 6");
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".summary"), "deployed"));
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.xpath("//ol[@class='timeline']//span[normalize-space()='building']")));
            browser.screenshot("deployment-finished");

            // The new deployment is the live one on the project page.
            browser.driver().findElement(By.xpath("//p[@class='crumbs']/a[normalize-space()='Live site']")).click();
            String sha = deployment(projectId, deploymentId).getString("commit_sha");
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".live .live-sha"), sha.substring(0, 7)));
            assertThat(browser.driver().findElement(By.cssSelector("tr[data-id='" + deploymentId + "'] .live-badge")).getText()).isEqualTo("live");
            assertThat(fetch(kiln.admin("GET", "/projects/" + projectId, null).data().getString("production_url"))).contains("live one");
            browser.screenshot("project");
        }
    }

    @Test
    void aLongLogShowsItsTailFirstAndOlderLinesOnDemand() throws Exception {
        try (GitRepo repo = repo("long-repo", "long", "Long log")) {
            // The sleep keeps the build alive while its output is still being read.
            long projectId = kiln.createProject("Long log", repo.url(), new JsonObject()
                    .put("build_command", "seq 1 10000 | sed 's/^/row /'; sleep 3")).getLong("id");
            long deploymentId = kiln.trigger(projectId).getLong("id");
            kiln.awaitStatus(projectId, deploymentId, BUILD, "deployed");
            browser.go("/projects/" + projectId + "/deployments/" + deploymentId);
            browser.signIn(TestKiln.ADMIN);
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".log-state"), "lines"));
            assertThat(browser.driver().findElements(By.cssSelector(".log .line"))).hasSize(1000);
            assertThat(logTexts()).contains("row 10000").doesNotContain("row 1", "row 8600");
            WebElement older = browser.await(ExpectedConditions.elementToBeClickable(By.cssSelector("button.older")));
            assertThat(older.getText()).startsWith("Show 1000 older lines");
            older.click();
            browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector(".log .line"), 2000));
            assertThat(logTexts()).contains("row 8600", "row 10000").doesNotContain("row 1");
        }
    }

    private List<String> logTexts() {
        return browser.driver().findElements(By.cssSelector(".log .line .t")).stream().map(WebElement::getText).toList();
    }

    @Test
    void rollBackWithTheButtonAndProductionServesTheOlderVersion() throws Exception {
        try (GitRepo repo = repo("rollback-repo", "version one", "Release one")) {
            JsonObject project = kiln.createProject("Rolled", repo.url(), null);
            long projectId = project.getLong("id");
            long first = kiln.trigger(projectId).getLong("id");
            kiln.awaitStatus(projectId, first, BUILD, "deployed");
            repo.write("index.html", "version two").commit("Release two");
            long second = kiln.trigger(projectId).getLong("id");
            kiln.awaitStatus(projectId, second, BUILD, "deployed");
            String production = project.getString("production_url");
            assertThat(fetch(production)).contains("version two");

            browser.go("/projects/" + projectId);
            browser.signIn(TestKiln.ADMIN);
            assertThat(browser.path()).isEqualTo("/projects/" + projectId);
            // Rollback is offered only where the contract allows it: not on the live deployment.
            browser.text("Release two");
            assertThat(browser.driver().findElements(By.cssSelector("button[aria-label='Roll back to deployment #" + second + "']"))).isEmpty();
            browser.button("Roll back to deployment #" + first).click();
            browser.confirm("Roll back");
            String firstSha = deployment(projectId, first).getString("commit_sha");
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".live .live-sha"), firstSha.substring(0, 7)));
            browser.text("Production now serves deployment #" + first);
            assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getLong("active_deployment_id")).isEqualTo(first);
            assertThat(fetch(production)).contains("version one");
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("button[aria-label='Roll back to deployment #" + second + "']")));
        }
    }

    @Test
    void cancelALongBuild() throws Exception {
        try (GitRepo repo = repo("cancel-repo", "slow", "Slow build")) {
            long projectId = kiln.createProject("Slow", repo.url(), new JsonObject().put("build_command", "echo started; sleep 300")).getLong("id");
            long deploymentId = kiln.trigger(projectId).getLong("id");
            browser.go("/projects/" + projectId + "/deployments/" + deploymentId);
            browser.signIn(TestKiln.ADMIN);
            browser.text("started");
            browser.button("Cancel").click();
            browser.confirm("Cancel deployment");
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".log-state"), "Finished: cancelled"));
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".summary .badge"), "cancelled"));
            assertThat(deployment(projectId, deploymentId).getString("status")).isEqualTo("cancelled");
            assertThat(browser.driver().findElements(By.xpath("//main//button[normalize-space()='Cancel']"))).isEmpty();
        }
    }

    @Test
    void aCommitMessageHoldingMarkupIsShownAsText() throws Exception {
        String message = "<script>window.kilnInjected=1</script><img src=x onerror=\"window.kilnInjected=2\"> & more";
        try (GitRepo repo = repo("markup-repo", "markup", message)) {
            long projectId = kiln.createProject("Markup", repo.url(), null).getLong("id");
            long deploymentId = kiln.trigger(projectId).getLong("id");
            kiln.awaitStatus(projectId, deploymentId, BUILD, "deployed");
            browser.go("/projects/" + projectId);
            browser.signIn(TestKiln.ADMIN);
            WebElement subject = browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-id] .subject")));
            assertThat(subject.getText()).isEqualTo(message);
            assertThat(browser.driver().findElements(By.cssSelector("main script, main img"))).isEmpty();
            browser.go("/projects/" + projectId + "/deployments/" + deploymentId);
            WebElement full = browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".commit-message")));
            assertThat(full.getText()).isEqualTo(message);
            assertThat(browser.driver().findElements(By.cssSelector("main script, main img"))).isEmpty();
            assertThat(browser.script("return window.kilnInjected === undefined")).isEqualTo(true);
        }
    }

    @Test
    void aScopedTokenSeesOnlyItsProject() throws Exception {
        long mine = kiln.createProject("Scoped mine", "file:///nowhere/mine", null).getLong("id");
        kiln.createProject("Scoped other", "file:///nowhere/other", null);
        String token = kiln.admin("POST", "/tokens", new JsonObject().put("name", "team").put("project_ids", new JsonArray().add(mine)))
                .data().getString("token");
        browser.go("/sign-in");
        browser.field("API token").sendKeys("not-a-token");
        browser.button("Sign in").click();
        browser.text("That API token is not valid.");
        browser.forgetConsole();
        browser.field("API token").clear();
        browser.signIn(token);
        browser.await(driver -> browser.path().equals("/projects"));
        List<WebElement> rows = browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector("table.projects tbody tr"), 1));
        assertThat(rows.get(0).getText()).contains("Scoped mine").doesNotContain("Scoped other");
        assertThat(browser.driver().findElements(By.xpath("//nav//a[normalize-space()='Tokens' or normalize-space()='Plugins']"))).isEmpty();
        browser.link("Scoped mine").click();
        browser.await(driver -> browser.path().equals("/projects/" + mine));
        browser.text("Nothing is live yet.");
        browser.button("Sign out").click();
        browser.await(driver -> browser.path().equals("/sign-in"));
        assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);
    }

    @Test
    void uploadDisableEnableAndRemoveAPlugin() throws Exception {
        Path jar = kiln.directory("uploads").resolve("uploaded-plugin.jar");
        java.nio.file.Files.write(jar, dev.kiln.core.plugins.TestPluginJars.passThroughBuilder(
                java.nio.file.Files.createTempDirectory(kiln.directory("uploads"), "plugin-work"), "uploaded", "uploaded-builder"));
        browser.go("/plugins");
        browser.signIn(TestKiln.ADMIN);
        browser.field("Plugin file (jar or zip)").sendKeys(jar.toAbsolutePath().toString());
        browser.button("Upload plugin").click();
        browser.text("Installed uploaded 1.0.0 on every node.");
        browser.text("builder uploaded-builder");
        assertThat(kiln.admin("GET", "/plugins/uploaded", null).data().getString("state")).isEqualTo("started");
        browser.screenshot("plugins-uploaded");

        browser.button("Disable uploaded").click();
        browser.text("uploaded is disabled.");
        assertThat(kiln.admin("GET", "/plugins/uploaded", null).data().getString("state")).isEqualTo("disabled");
        browser.button("Enable uploaded").click();
        browser.text("uploaded is enabled.");
        assertThat(kiln.admin("GET", "/plugins/uploaded", null).data().getString("state")).isEqualTo("started");
        browser.button("Remove uploaded").click();
        browser.confirm("Remove");
        browser.text("uploaded is removed.");
        browser.await(driver -> driver.findElements(By.xpath("//tbody/tr/th[starts-with(normalize-space(), 'uploaded')]")).isEmpty());
        assertThat(kiln.admin("GET", "/plugins/uploaded", null).status()).isEqualTo(404);
    }

    @Test
    void adminPagesAndReloadableAddressesOnAPhone() throws Exception {
        try (GitRepo repo = repo("phone-repo", "phone", "Phone sized")) {
            long projectId = kiln.createProject("Pocket", repo.url(), null).getLong("id");
            long deploymentId = kiln.trigger(projectId).getLong("id");
            kiln.awaitStatus(projectId, deploymentId, BUILD, "deployed");
            browser.go("/nodes");
            browser.signIn(TestKiln.ADMIN);
            browser.text("busy of");
            browser.text("Nothing waits.");
            browser.screenshot("nodes");
            browser.link("Plugins").click();
            browser.text("part of Kiln");
            browser.screenshot("plugins");
            browser.link("Tokens").click();
            browser.field("Name").sendKeys("deploy bot");
            browser.button("Create token").click();
            browser.text("shown only once");
            String plain = browser.driver().findElement(By.cssSelector("code.secret")).getText();
            assertThat(kiln.api("GET", "/tokens/current", plain, null).data().getString("name")).isEqualTo("deploy bot");
            browser.button("Revoke deploy bot").click();
            browser.confirm("Revoke");
            browser.text("deploy bot is revoked.");
            assertThat(kiln.api("GET", "/tokens/current", plain, null).status()).isEqualTo(401);

            browser.phoneSized();
            // A shared address opens the same page, and so does a reload.
            browser.go("/projects/" + projectId + "/deployments/" + deploymentId);
            browser.text("Deployment #" + deploymentId);
            browser.driver().navigate().refresh();
            browser.text("Deployment #" + deploymentId);
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".log-state"), "lines"));
            browser.screenshot("deployment-phone");
            browser.go("/projects/" + projectId + "/settings");
            WebElement command = browser.field("Build command");
            command.clear();
            command.sendKeys("echo from the settings page");
            browser.button("Save settings").click();
            browser.text("Saved.");
            assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getString("build_command")).isEqualTo("echo from the settings page");
            browser.screenshot("settings-phone");
            browser.go("/projects/" + projectId);
            browser.text("Phone sized");
            Object overflow = browser.script("return document.documentElement.scrollWidth > window.innerWidth");
            assertThat(overflow).as("the page fits a phone's width").isEqualTo(false);
            browser.screenshot("project-phone");
            browser.driver().navigate().back();
            browser.text("Settings of Pocket");
        }
    }

    @Test
    void theLiveLogResumesAfterTheConnectionDropsAndAfterTheTabWasFrozen() throws Exception {
        try (GitRepo repo = repo("resume-repo", "resume", "Resumed");
             DroppingProxy proxy = new DroppingProxy(kiln.server().actualPort());
             Browser relayed = Browser.open(proxy.baseUrl(), kiln.directory("browser"))) {
            long projectId = kiln.createProject("Resumed", repo.url(), new JsonObject()
                    .put("build_command", "for i in $(seq 1 16); do echo tick $i; sleep 0.5; done")).getLong("id");
            long deploymentId = kiln.trigger(projectId).getLong("id");
            relayed.go("/projects/" + projectId + "/deployments/" + deploymentId);
            relayed.signIn(TestKiln.ADMIN);
            relayed.text("tick 2");

            // The connection breaks mid-build: the page says so, then resumes after the last line it has.
            proxy.dropAll();
            relayed.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".log-state"), "Reconnecting"));
            relayed.await(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".log-state"), "Live"));
            relayed.text("tick 7");
            // Requests cut by the drop may have logged a failed load; from here on nothing may.
            relayed.forgetConsole();

            // A frozen background tab catches up when it comes back.
            relayed.cdp("Page.setWebLifecycleState", Map.<String, Object>of("state", "frozen"));
            awaitStoredLine(projectId, deploymentId, "tick 12");
            relayed.cdp("Page.setWebLifecycleState", Map.<String, Object>of("state", "active"));
            relayed.await(BUILD, ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".log-state"), "Finished: deployed"));

            List<Integer> numbers = relayed.driver().findElements(By.cssSelector(".log .line .n")).stream()
                    .map(element -> Integer.parseInt(element.getText())).toList();
            for (int i = 0; i < numbers.size(); i++) {
                assertThat(numbers.get(i)).as("line numbers without gaps or repeats").isEqualTo(i + 1);
            }
            List<String> ticks = relayed.driver().findElements(By.cssSelector(".log .line .t")).stream().map(WebElement::getText)
                    .filter(text -> text.startsWith("tick ")).toList();
            assertThat(ticks).hasSize(16).startsWith("tick 1").endsWith("tick 16").doesNotHaveDuplicates();
            String stored = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null).data().getString("build_logs");
            assertThat(numbers).hasSize(stored.split("\n").length);
            relayed.screenshot(testName + "-relayed");
            assertThat(relayed.consoleErrors()).isEmpty();
        }
    }

    private static void awaitStoredLine(long projectId, long deploymentId, String line) throws Exception {
        Eventually.await(BUILD, "the build to log " + line, () -> kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId
                + "/logs", null).data().getString("build_logs").lines().anyMatch(line::equals));
    }
}
