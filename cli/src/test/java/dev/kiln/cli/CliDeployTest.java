package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** deploy, ls, inspect, logs, cancel, rollback and Ctrl-C, run as a child process against a real server and real builds. */
class CliDeployTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final AtomicInteger USERS = new AtomicInteger();

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    static GitRepo repo;

    @BeforeAll
    static void start() throws Exception {
        repo = GitRepo.create(temp.resolve("repo"));
        repo.write("index.html", "<h1>hello from the cli</h1>").commit("First page");
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    static KilnCli loggedIn() throws Exception {
        KilnCli cli = new KilnCli(temp.resolve("user-" + USERS.incrementAndGet()));
        KilnCli.Result login = cli.run("login", "--server", kiln.baseUrl(), "--token", TestKiln.ADMIN);
        assertThat(login.exit()).as(login.toString()).isZero();
        return cli;
    }

    /** Creates a project through the CLI and returns it as the API shows it. */
    static JsonObject create(KilnCli cli, String name, String buildCommand) throws Exception {
        KilnCli.Result created = cli.run("projects", "create", "--name", name, "--repo", repo.url(), "--builder", "shell",
                "--build-command", buildCommand, "--json");
        assertThat(created.exit()).as(created.toString()).isZero();
        return new JsonObject(created.stdout());
    }

    static JsonObject deployment(long projectId, long deploymentId) throws Exception {
        return kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId, null).data();
    }

    @Test
    void linkDeployListLogsAndRollBack() throws Exception {
        KilnCli cli = loggedIn();
        JsonObject project = create(cli, "Cli Site", "echo building-marker");
        long projectId = project.getLong("id");
        assertThat(project.getString("slug")).isEqualTo("cli-site");

        Path checkout = temp.resolve("checkout");
        cli.in(checkout);
        KilnCli.Result link = cli.run("link", "cli-site");
        assertThat(link.exit()).as(link.toString()).isZero();
        assertThat(new JsonObject(Files.readString(checkout.resolve(".kiln.json"))).getLong("project_id")).isEqualTo(projectId);

        // From a subdirectory too: the link is found in a parent.
        cli.in(checkout.resolve("src"));
        KilnCli.Result first = cli.run("deploy");
        assertThat(first.exit()).as(first.toString()).isZero();
        JsonObject firstDeployment = latest(projectId);
        assertThat(firstDeployment.getString("status")).isEqualTo("deployed");
        assertThat(first.stdout().strip()).isEqualTo(firstDeployment.getString("deployment_url"));
        assertThat(first.stderr()).contains("building-marker", "==> deployed", "First page", "as deployment " + firstDeployment.getLong("id"));
        assertThat(first.stdout()).doesNotContain("building-marker");
        assertThat(kiln.get(first.stdout().strip()).body())
                .contains("hello from the cli");

        repo.write("index.html", "<h1>second</h1>").commit("Second page");
        KilnCli.Result second = cli.run("deploy", "--json");
        assertThat(second.exit()).as(second.toString()).isZero();
        JsonObject secondDeployment = new JsonObject(second.stdout());
        assertThat(secondDeployment.getString("status")).isEqualTo("deployed");
        assertThat(secondDeployment.getString("commit_message")).startsWith("Second page");

        KilnCli.Result listed = cli.run("ls", "--json");
        assertThat(listed.exit()).isZero();
        JsonArray deployments = new JsonArray(listed.stdout());
        assertThat(deployments.stream().map(JsonObject.class::cast).map(d -> d.getLong("id")))
                .containsExactly(secondDeployment.getLong("id"), firstDeployment.getLong("id"));
        KilnCli.Result table = cli.run("ls");
        List<String> rows = table.stdout().lines().toList();
        assertThat(rows.get(0)).contains("ID", "STATUS", "BRANCH", "COMMIT", "AGE", "DURATION");
        assertThat(rows.get(1)).startsWith("*").contains(secondDeployment.getLong("id").toString(), "deployed", "main",
                secondDeployment.getString("commit_sha").substring(0, 7), "Second page");
        assertThat(rows.get(2)).doesNotStartWith("*");

        KilnCli.Result logs = cli.run("logs", firstDeployment.getLong("id").toString());
        assertThat(logs.exit()).isZero();
        assertThat(logs.stdout()).contains("building-marker");
        KilnCli.Result lastLine = cli.run("logs", firstDeployment.getLong("id").toString(), "-n", "1");
        assertThat(lastLine.stdout().lines().count()).isEqualTo(1);

        KilnCli.Result rollback = cli.run("rollback", firstDeployment.getLong("id").toString());
        assertThat(rollback.exit()).as(rollback.toString()).isZero();
        assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getLong("active_deployment_id"))
                .isEqualTo(firstDeployment.getLong("id"));
        KilnCli.Result again = cli.run("rollback", firstDeployment.getLong("id").toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.stderr()).startsWith("kiln: cannot do that to deployment " + firstDeployment.getLong("id"));

        KilnCli.Result inspect = cli.run("inspect", secondDeployment.getLong("id").toString());
        assertThat(inspect.stdout()).contains("status:", "deployed", "active:", "no", secondDeployment.getString("commit_sha"));
        KilnCli.Result missing = cli.run("inspect", "999999");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderr()).startsWith("kiln: deployment 999999 of project 'cli-site' not found");
    }

    @Test
    void linkWithoutAProjectFindsItByTheCheckoutsOrigin() throws Exception {
        KilnCli cli = loggedIn();
        JsonObject project = create(cli, "Origin Site", "true");
        create(cli, "Origin Site Two", "true");
        Path clone = temp.resolve("clone");
        org.eclipse.jgit.api.Git.cloneRepository().setURI(repo.url()).setDirectory(clone.toFile()).call().close();
        cli.in(clone);
        KilnCli.Result ambiguous = cli.run("link");
        // Several projects deploy this repository: the CLI names them instead of guessing.
        assertThat(ambiguous.exit()).as(ambiguous.toString()).isEqualTo(2);
        assertThat(ambiguous.stderr()).startsWith("kiln: ").contains("projects deploy", "origin-site", "origin-site-two", "kiln link PROJECT");
        assertThat(clone.resolve(".kiln.json")).doesNotExist();
        KilnCli.Result show = cli.run("projects", "show", "origin-site", "--json");
        assertThat(new JsonObject(show.stdout()).getLong("id")).isEqualTo(project.getLong("id"));

        GitRepo own = GitRepo.create(temp.resolve("own-repo"));
        own.write("index.html", "own").commit("own");
        KilnCli.Result created = cli.run("projects", "create", "--name", "Own Site", "--repo", own.url(), "--json");
        long ownId = new JsonObject(created.stdout()).getLong("id");
        Path ownClone = temp.resolve("own-clone");
        org.eclipse.jgit.api.Git.cloneRepository().setURI(own.url()).setDirectory(ownClone.toFile()).call().close();
        own.close();
        cli.in(ownClone.resolve("sub"));
        KilnCli.Result linked = cli.run("link");
        assertThat(linked.exit()).as(linked.toString()).isZero();
        assertThat(new JsonObject(Files.readString(ownClone.resolve("sub/.kiln.json"))).getLong("project_id")).isEqualTo(ownId);
        KilnCli.Result shown = cli.run("projects", "show");
        assertThat(shown.stdout()).contains("slug:", "own-site", "repo_url:");

        KilnCli.Result removed = cli.run("projects", "rm", "--yes");
        assertThat(removed.exit()).as(removed.toString()).isZero();
        assertThat(kiln.admin("GET", "/projects/" + ownId, null).status()).isEqualTo(404);
        KilnCli.Result gone = cli.run("ls");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.stderr()).startsWith("kiln: project 'own-site' not found");
    }

    @Test
    void aFailingBuildExitsOneWithItsError() throws Exception {
        KilnCli cli = loggedIn();
        create(cli, "Broken Site", "echo about-to-fail && exit 3");
        KilnCli.Result result = cli.run("deploy", "-p", "broken-site");
        assertThat(result.exit()).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).contains("about-to-fail", "==> failed");
        assertThat(result.stderr().lines().filter(line -> line.startsWith("kiln: ")).toList()).singleElement()
                .satisfies(line -> assertThat(line).matches("kiln: deployment \\d+ failed: .+"));
        assertThat(result.stderr()).doesNotContain("\tat ");

        KilnCli.Result branch = cli.run("deploy", "-p", "broken-site", "--branch", "no-such-branch");
        assertThat(branch.exit()).isEqualTo(1);
        assertThat(branch.stderr()).startsWith("kiln: branch").contains("422");
    }

    @Test
    void logsFollowsALiveBuildUntilItEnds() throws Exception {
        KilnCli cli = loggedIn();
        JsonObject project = create(cli, "Slow Site", "for i in 1 2 3; do echo tick-$i; sleep 1; done");
        KilnCli.Result queued = cli.run("deploy", "-p", "slow-site", "--no-wait", "--json");
        assertThat(queued.exit()).as(queued.toString()).isZero();
        long id = new JsonObject(queued.stdout()).getLong("id");
        KilnCli.Result follow = cli.run("logs", Long.toString(id), "-f", "-p", "slow-site");
        assertThat(follow.exit()).as(follow.toString()).isZero();
        String out = follow.stdout();
        assertThat(out.indexOf("tick-1")).isGreaterThanOrEqualTo(0).isLessThan(out.indexOf("tick-2"));
        assertThat(out.indexOf("tick-2")).isLessThan(out.indexOf("tick-3"));
        assertThat(follow.stderr()).contains("deployment " + id + " deployed");
        assertThat(deployment(project.getLong("id"), id).getString("status")).isEqualTo("deployed");
    }

    @Test
    void cancelStopsABuildAndInspectWaitReportsIt() throws Exception {
        KilnCli cli = loggedIn();
        JsonObject project = create(cli, "Hanging Site", "echo waiting-for-cancel; sleep 120");
        KilnCli.Result queued = cli.run("deploy", "-p", "hanging-site", "--no-wait");
        assertThat(queued.exit()).isZero();
        long id = latest(project.getLong("id")).getLong("id");
        assertThat(queued.stdout().strip()).isEqualTo(deployment(project.getLong("id"), id).getString("deployment_url"));
        kiln.awaitStatus(project.getLong("id"), id, WAIT, "building");

        KilnCli.Running waiting = cli.start(null, "inspect", Long.toString(id), "--wait", "-p", "hanging-site");
        KilnCli.Result cancel = cli.run("cancel", Long.toString(id), "-p", "hanging-site");
        assertThat(cancel.exit()).as(cancel.toString()).isZero();
        assertThat(deployment(project.getLong("id"), id).getString("status")).isEqualTo("cancelled");
        KilnCli.Result waited = waiting.await(WAIT);
        assertThat(waited.exit()).as(waited.toString()).isEqualTo(1);
        assertThat(waited.stderr()).contains("kiln: deployment " + id + " cancelled");

        KilnCli.Result twice = cli.run("cancel", Long.toString(id), "-p", "hanging-site");
        assertThat(twice.exit()).isEqualTo(1);
        assertThat(twice.stderr()).startsWith("kiln: cannot do that to deployment " + id);
    }

    @Test
    void ctrlCWithoutATerminalStopsWatchingAndLeavesTheDeploymentRunning() throws Exception {
        KilnCli cli = loggedIn();
        JsonObject project = create(cli, "Interrupted Site", "echo waiting-for-signal; sleep 120");
        KilnCli.Running deploy = cli.start(null, "deploy", "-p", "interrupted-site");
        // The first phase line means the CLI follows the deployment (its Ctrl-C handler is set); the build runs.
        deploy.awaitStderr(text -> text.contains("==> "), WAIT);
        kiln.awaitStatus(project.getLong("id"), latest(project.getLong("id")).getLong("id"), WAIT, "building");
        Process kill = new ProcessBuilder("sh", "-c", "kill -INT " + deploy.process.pid()).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        KilnCli.Result result = deploy.await(WAIT);
        assertThat(result.exit()).as(result.toString()).isEqualTo(130);
        long id = latest(project.getLong("id")).getLong("id");
        assertThat(result.stderr()).contains("stopped watching; deployment " + id + " keeps running (kiln cancel " + id);
        assertThat(deployment(project.getLong("id"), id).getString("status")).isEqualTo("building");
        assertThat(cli.run("cancel", Long.toString(id), "-p", "interrupted-site").exit()).isZero();
    }

    @Test
    void ctrlCOnATerminalAsksAndCancelsTheDeployment() throws Exception {
        RequiredTools.assumeInstalled("script");
        KilnCli cli = loggedIn();
        JsonObject project = create(cli, "Asked Site", "echo waiting-for-ctrl-c; sleep 120");
        KilnCli.Running deploy = cli.startOnTerminal("deploy", "-p", "asked-site");
        deploy.awaitStdout(text -> text.contains("==> "), WAIT);
        long id = latest(project.getLong("id")).getLong("id");
        kiln.awaitStatus(project.getLong("id"), id, WAIT, "building");
        deploy.type("\u0003");
        deploy.awaitStdout(text -> text.contains("Cancel deployment " + id + "? [y/N]"), WAIT);
        assertThat(deployment(project.getLong("id"), id).getString("status")).isEqualTo("building");
        deploy.type("y\r");
        KilnCli.Result result = deploy.await(WAIT);
        assertThat(result.exit()).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout()).contains("Cancelling deployment " + id, "kiln: deployment " + id + " cancelled");
        assertThat(deployment(project.getLong("id"), id).getString("status")).isEqualTo("cancelled");
    }

    private static JsonObject latest(long projectId) throws Exception {
        return kiln.admin("GET", "/projects/" + projectId + "/deployments?per_page=1", null).json().getJsonArray("data").getJsonObject(0);
    }
}
