package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;

/** The CLI's version, help, completion, login and its errors, run as a child process against a real server. */
class CliBasicsTest {

    private static final AtomicInteger USERS = new AtomicInteger();

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();

    static KilnCli user() throws Exception {
        return new KilnCli(temp.resolve("user-" + USERS.incrementAndGet()));
    }

    static KilnCli loggedIn() throws Exception {
        KilnCli cli = user();
        KilnCli.Result login = cli.run("login", "--server", kiln.baseUrl(), "--token", TestKiln.ADMIN);
        assertThat(login.exit()).as(login.toString()).isZero();
        return cli;
    }

    static void assertOneLineError(KilnCli.Result result, int exit, String message) {
        assertThat(result.exit()).as(result.toString()).isEqualTo(exit);
        assertThat(result.stderr()).as(result.toString()).startsWith("kiln: ").contains(message).doesNotContain("\tat ", "Exception");
        assertThat(result.stdout()).as(result.toString()).isEmpty();
    }

    @Test
    void versionIsTheBuildsVersion() throws Exception {
        KilnCli.Result result = user().run("--version");
        assertThat(result.exit()).isZero();
        assertThat(result.stdout()).startsWith("kiln " + System.getProperty("kiln.version") + " ");
        assertThat(System.getProperty("kiln.version")).isNotBlank().doesNotContain("$");
    }

    @Test
    void everyCommandHasHelpWithAnExample() throws Exception {
        List<String> missing = new ArrayList<>();
        List<String> names = new ArrayList<>();
        walk(Main.commandLine(), missing, names);
        assertThat(names).contains("kiln deploy", "kiln projects create", "kiln env set", "kiln domains verify", "kiln webhook secret",
                "kiln plugins install", "kiln tokens create", "kiln nodes", "kiln completion", "kiln logs", "kiln rollback");
        assertThat(missing).as("commands without an example in --help").isEmpty();

        KilnCli.Result help = user().run("deploy", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.stdout()).contains("Usage: kiln deploy", "--branch", "--no-wait", "--json", "Example:", "kiln deploy");
        KilnCli.Result top = user().run("--help");
        assertThat(top.stdout()).contains("login", "deploy", "rollback", "plugins", "kiln server");
    }

    private static void walk(CommandLine line, List<String> missing, List<String> names) {
        String name = line.getCommandSpec().qualifiedName();
        if (!line.getCommandSpec().name().equals("help")) {
            names.add(name);
            if (!line.getUsageMessage().contains("Example:")) {
                missing.add(name);
            }
        }
        line.getSubcommands().values().forEach(sub -> walk(sub, missing, names));
    }

    @Test
    void completionScriptsForBashAndZsh() throws Exception {
        KilnCli.Result bash = user().run("completion", "bash");
        assertThat(bash.exit()).isZero();
        assertThat(bash.stdout()).contains("complete -F", "deploy", "rollback", "--no-wait");
        KilnCli.Result zsh = user().run("completion", "zsh");
        assertThat(zsh.stdout()).contains("bashcompinit", "complete -F");
        assertOneLineError(user().run("completion", "fish"), 2, "Invalid value for positional parameter");
    }

    @Test
    void loginReadsTheTokenFromStdinChecksItAndSavesItPrivately() throws Exception {
        KilnCli cli = user();
        KilnCli.Result login = cli.runWithInput(TestKiln.ADMIN + "\n", "login", "--server", kiln.baseUrl() + "/");
        assertThat(login.exit()).as(login.toString()).isZero();
        assertThat(login.stderr()).contains("Logged in to " + kiln.baseUrl(), "admin");
        assertThat(login.stdout()).isEmpty();
        Path config = cli.configFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        JsonObject saved = new JsonObject(Files.readString(config));
        assertThat(saved.getString("server")).isEqualTo(kiln.baseUrl());
        assertThat(saved.getString("token")).isEqualTo(TestKiln.ADMIN);

        kiln.createProject("Basics Site", "file:///nowhere", null);
        KilnCli.Result list = cli.run("projects", "ls", "--json");
        assertThat(list.exit()).as(list.toString()).isZero();
        JsonArray projects = new JsonArray(list.stdout());
        assertThat(projects.stream().map(JsonObject.class::cast).map(p -> p.getString("slug"))).contains("basics-site");
        assertThat(cli.run("projects", "ls").stdout()).contains("SLUG", "basics-site");
    }

    @Test
    void theDefaultConfigFileIsUnderHome() throws Exception {
        KilnCli cli = user().env("KILN_CONFIG", null);
        KilnCli.Result login = cli.run("login", "--server", kiln.baseUrl(), "--token", TestKiln.ADMIN);
        assertThat(login.exit()).as(login.toString()).isZero();
        Path config = temp.resolve("user-" + USERS.get()).resolve(".config/kiln/config.json");
        assertThat(config).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
    }

    @Test
    void aWrongTokenIsRefusedAtLoginAndNothingIsSaved() throws Exception {
        KilnCli cli = user();
        assertOneLineError(cli.run("login", "--server", kiln.baseUrl(), "--token", "wrong"), 1,
                "the server answered 401: the token was revoked or is wrong");
        assertThat(cli.configFile()).doesNotExist();
    }

    @Test
    void notLoggedIn() throws Exception {
        assertOneLineError(user().run("projects", "ls"), 2, "kiln: not logged in: run kiln login --server URL");
    }

    @Test
    void environmentAndOptionsOverrideTheSavedLogin() throws Exception {
        KilnCli cli = loggedIn();
        cli.env("KILN_TOKEN", "not-a-token");
        assertOneLineError(cli.run("nodes"), 1, "the server answered 401: the token was revoked or is wrong");
        KilnCli.Result withOption = cli.run("nodes", "--json", "--token", TestKiln.ADMIN);
        assertThat(withOption.exit()).as(withOption.toString()).isZero();
        cli.env("KILN_TOKEN", null).env("KILN_SERVER", "http://127.0.0.1:" + closedPort());
        assertOneLineError(cli.run("nodes"), 1, "cannot reach http://127.0.0.1:");
        assertThat(cli.run("nodes", "--server", kiln.baseUrl()).exit()).isZero();
    }

    @Test
    void aRevokedTokenSaysSo() throws Exception {
        var created = kiln.admin("POST", "/tokens", new JsonObject().put("name", "short-lived")).data();
        KilnCli cli = user();
        assertThat(cli.run("login", "--server", kiln.baseUrl(), "--token", created.getString("token")).exit()).isZero();
        assertThat(kiln.admin("DELETE", "/tokens/" + created.getLong("id"), null).status()).isEqualTo(204);
        assertOneLineError(cli.run("projects", "ls"), 1, "kiln: the server answered 401: the token was revoked or is wrong");
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() throws Exception {
        KilnCli cli = loggedIn();
        KilnCli.Result unknown = cli.run("deploy", "--frobnicate");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).startsWith("kiln: Unknown option: '--frobnicate'").contains("see 'kiln deploy --help'");
        assertThat(unknown.stderr().lines()).hasSize(1);
        KilnCli.Result missingName = cli.run("projects", "create", "--repo", "file:///nowhere");
        assertThat(missingName.exit()).isEqualTo(2);
        assertThat(missingName.stderr()).startsWith("kiln: Missing required option: '--name=NAME'").contains("kiln projects create --help");
        assertThat(missingName.stderr().lines()).hasSize(1);
        assertOneLineError(cli.run("ls"), 2, "no project given: pass --project PROJECT or run kiln link PROJECT");
        assertOneLineError(cli.run("ls", "-p", "no-such-project"), 1, "kiln: project 'no-such-project' not found");
        assertOneLineError(cli.run("ls", "-p", "987654"), 1, "kiln: project '987654' not found");
        assertOneLineError(cli.run("projects", "rm", "basics-nothing"), 1, "project 'basics-nothing' not found");
        assertOneLineError(cli.run("plugins", "install", temp.resolve("missing.jar").toString()), 2, "no such file");
    }

    @Test
    void aTokenWithoutAdminRightsIsToldWhatItNeeds() throws Exception {
        var created = kiln.admin("POST", "/tokens", new JsonObject().put("name", "member")).data();
        KilnCli cli = user();
        KilnCli.Result login = cli.run("login", "--server", kiln.baseUrl(), "--token", created.getString("token"), "--json");
        assertThat(login.exit()).isZero();
        assertThat(new JsonObject(login.stdout()).getBoolean("admin")).isFalse();
        assertOneLineError(cli.run("tokens", "ls"), 1, "the server answered 403");
    }

    @Test
    void outputCarriesNoColourWhenPiped() throws Exception {
        KilnCli cli = loggedIn();
        KilnCli.Result table = cli.run("projects", "ls");
        assertThat(table.stdout() + table.stderr()).doesNotContain("\u001b[");
        cli.env("CI", "true");
        assertThat(cli.run("nodes").stdout()).doesNotContain("\u001b[");
    }

    @Test
    void coloursOnATerminalUnlessNoColourOrCi() throws Exception {
        RequiredTools.assumeInstalled("script");
        KilnCli cli = loggedIn().env("TERM", "xterm");
        KilnCli.Result coloured = cli.runOnTerminal("nodes");
        assertThat(coloured.exit()).as(coloured.toString()).isZero();
        assertThat(coloured.stdout()).contains("\u001b[1mID", kiln.server().nodeId());
        cli.env("NO_COLOR", "1");
        KilnCli.Result plain = cli.runOnTerminal("nodes");
        assertThat(plain.stdout()).contains("ID", kiln.server().nodeId()).doesNotContain("\u001b[");
        cli.env("NO_COLOR", null).env("CI", "true");
        assertThat(cli.runOnTerminal("nodes").stdout()).contains(kiln.server().nodeId()).doesNotContain("\u001b[");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
