package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.plugins.PluginFiles;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** plugins, nodes and tokens through the CLI, run as a child process against a real server. */
class CliAdminTest {

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    static KilnCli cli;

    @BeforeAll
    static void start() throws Exception {
        cli = new KilnCli(temp.resolve("user"));
        assertThat(cli.run("login", "--server", kiln.baseUrl(), "--token", TestKiln.ADMIN).exit()).isZero();
    }

    @Test
    void installsTheExamplePluginThenDisablesEnablesAndRemovesIt() throws Exception {
        Path jar = temp.resolve("kiln-builder-example-1.0.0.jar");
        Files.write(jar, PluginFiles.exampleJar(temp.resolve("example"), "1.0.0"));

        KilnCli.Result installed = cli.run("plugins", "install", jar.toString());
        assertThat(installed.exit()).as(installed.toString()).isZero();
        assertThat(installed.stderr()).contains("Installed plugin builder-example 1.0.0", "builders example");

        KilnCli.Result listed = cli.run("plugins", "ls", "--json");
        JsonObject example = new JsonArray(listed.stdout()).stream().map(JsonObject.class::cast)
                .filter(plugin -> "builder-example".equals(plugin.getString("id"))).findFirst().orElseThrow();
        assertThat(example.getJsonArray("builders")).containsExactly("example");
        assertThat(cli.run("plugins", "ls").stdout()).contains("ID", "builder-example", "1.0.0");

        KilnCli.Result disabled = cli.run("plugins", "disable", "builder-example", "--json");
        assertThat(disabled.exit()).as(disabled.toString()).isZero();
        assertThat(new JsonObject(disabled.stdout()).getString("state")).isEqualTo(plugin("builder-example").getString("state"))
                .isNotEqualTo(example.getString("state"));
        KilnCli.Result enabled = cli.run("plugins", "enable", "builder-example");
        assertThat(enabled.exit()).as(enabled.toString()).isZero();
        assertThat(plugin("builder-example").getString("state")).isEqualTo(example.getString("state"));

        KilnCli.Result refused = cli.run("plugins", "rm", "builder-example");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.stderr()).startsWith("kiln: not asking without a terminal: pass --yes");
        KilnCli.Result removed = cli.run("plugins", "rm", "builder-example", "--yes");
        assertThat(removed.exit()).as(removed.toString()).isZero();
        assertThat(plugin("builder-example")).isNull();
        KilnCli.Result gone = cli.run("plugins", "enable", "builder-example");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.stderr()).startsWith("kiln: ").contains("builder-example", "404");

        Path junk = temp.resolve("junk.jar");
        Files.writeString(junk, "not a jar");
        KilnCli.Result bad = cli.run("plugins", "install", junk.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.stderr().lines().count()).isEqualTo(1);
        assertThat(bad.stderr()).startsWith("kiln: ").contains("422");
    }

    @Test
    void nodesListsTheServersNode() throws Exception {
        KilnCli.Result json = cli.run("nodes", "--json");
        assertThat(json.exit()).as(json.toString()).isZero();
        JsonArray nodes = new JsonArray(json.stdout());
        assertThat(nodes.stream().map(JsonObject.class::cast).map(node -> node.getString("id"))).contains(kiln.server().nodeId());
        KilnCli.Result table = cli.run("nodes");
        assertThat(table.stdout()).contains("ID", "BUSY", kiln.server().nodeId());
    }

    @Test
    void tokensAreCreatedListedUsedAndRevoked() throws Exception {
        kiln.createProject("Token Site", "file:///nowhere", null);
        KilnCli.Result created = cli.run("tokens", "create", "--name", "ci", "--project", "token-site", "--json");
        assertThat(created.exit()).as(created.toString()).isZero();
        JsonObject token = new JsonObject(created.stdout());
        assertThat(token.getString("token")).isNotBlank();
        assertThat(token.getJsonArray("project_ids")).hasSize(1);

        KilnCli.Result plain = cli.run("tokens", "create", "--name", "laptop");
        assertThat(plain.stdout().strip()).isNotBlank().doesNotContain(" ");

        KilnCli.Result listed = cli.run("tokens", "ls", "--json");
        assertThat(new JsonArray(listed.stdout()).stream().map(JsonObject.class::cast).map(t -> t.getString("name"))).contains("ci", "laptop");
        assertThat(listed.stdout()).doesNotContain(token.getString("token"));

        KilnCli scoped = new KilnCli(temp.resolve("scoped"));
        assertThat(scoped.run("login", "--server", kiln.baseUrl(), "--token", token.getString("token")).exit()).isZero();
        KilnCli.Result visible = scoped.run("projects", "ls", "--json");
        assertThat(new JsonArray(visible.stdout()).stream().map(JsonObject.class::cast).map(p -> p.getString("slug")))
                .containsExactly("token-site");

        KilnCli.Result revoked = cli.run("tokens", "rm", token.getLong("id").toString());
        assertThat(revoked.exit()).as(revoked.toString()).isZero();
        KilnCli.Result after = scoped.run("projects", "ls");
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.stderr()).startsWith("kiln: the server answered 401: the token was revoked or is wrong");
    }

    private static JsonObject plugin(String id) throws Exception {
        return kiln.admin("GET", "/plugins", null).json().getJsonArray("data").stream().map(JsonObject.class::cast)
                .filter(plugin -> id.equals(plugin.getString("id"))).findFirst().orElse(null);
    }
}
