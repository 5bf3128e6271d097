package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** env, domains and webhook through the CLI, run as a child process against a real server. */
class CliSettingsTest {

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().settings(Map.of("dns.server", "127.0.0.1:9"));
    static KilnCli cli;
    static GitRepo repo;
    static String project;

    @BeforeAll
    static void start() throws Exception {
        // Domain verification asks a DNS server where nothing answers: no lookup leaves the machine.
        repo = GitRepo.create(temp.resolve("repo"));
        repo.write("index.html", "settings").commit("one");
        project = Long.toString(kiln.createProject("Settings", repo.url(), null).getLong("id"));
        cli = new KilnCli(temp.resolve("user"));
        assertThat(cli.run("login", "--server", kiln.baseUrl(), "--token", TestKiln.ADMIN).exit()).isZero();
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    @Test
    void envSetListsMaskedAndRemoves() throws Exception {
        KilnCli.Result secret = cli.run("env", "set", "API_KEY=a-long-secret-value", "--secret", "-p", project);
        assertThat(secret.exit()).as(secret.toString()).isZero();
        assertThat(secret.stderr()).contains("Added API_KEY (secret)");
        assertThat(cli.run("env", "set", "MODE=production", "-p", project).exit()).isZero();
        KilnCli.Result updated = cli.run("env", "set", "MODE=staging", "-p", project);
        assertThat(updated.stderr()).contains("Updated MODE");

        JsonArray listed = new JsonArray(cli.run("env", "ls", "-p", project, "--json").stdout());
        assertThat(listed).hasSize(2);
        JsonObject apiKey = find(listed, "key", "API_KEY");
        assertThat(apiKey.getBoolean("is_secret")).isTrue();
        assertThat(apiKey.getString("value")).isEqualTo("••••••••");
        assertThat(find(listed, "key", "MODE").getString("value")).isEqualTo("staging");
        KilnCli.Result table = cli.run("env", "ls", "-p", project);
        assertThat(table.stdout()).contains("API_KEY", "MODE", "staging").doesNotContain("a-long-secret-value");

        assertThat(cli.run("env", "rm", "MODE", "-p", project).exit()).isZero();
        KilnCli.Result missing = cli.run("env", "rm", "MODE", "-p", project);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderr()).startsWith("kiln: no variable MODE");
        KilnCli.Result bad = cli.run("env", "set", "NOEQUALS", "-p", project);
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.stderr()).startsWith("kiln: ").contains("KEY=VALUE");
        // The server's own check: a key that is not a variable name.
        KilnCli.Result refused = cli.run("env", "set", "1BAD=x", "-p", project);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.stderr()).startsWith("kiln: ").contains("422");
    }

    @Test
    void domainsAreAddedVerifiedAndRemoved() throws Exception {
        KilnCli.Result added = cli.run("domains", "add", "shop.example.com", "-p", project);
        assertThat(added.exit()).as(added.toString()).isZero();
        assertThat(added.stderr() + added.stdout()).contains("_kiln-verification.shop.example.com");
        assertThat(cli.run("domains", "add", "www.example.org", "--verified", "-p", project).exit()).isZero();

        JsonArray listed = new JsonArray(cli.run("domains", "ls", "-p", project, "--json").stdout());
        assertThat(find(listed, "domain", "shop.example.com").getBoolean("is_verified")).isFalse();
        assertThat(find(listed, "domain", "www.example.org").getBoolean("is_verified")).isTrue();

        // No TXT record can be found here: the answer says so, in one line.
        KilnCli.Result verify = cli.run("domains", "verify", "shop.example.com", "-p", project);
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.stderr().lines().count()).isEqualTo(1);
        assertThat(verify.stderr()).startsWith("kiln: ");

        KilnCli.Result taken = cli.run("domains", "add", "www.example.org", "-p", project);
        assertThat(taken.exit()).isEqualTo(1);
        assertThat(taken.stderr()).contains("409");
        assertThat(cli.run("domains", "rm", "shop.example.com", "-p", project).exit()).isZero();
        assertThat(new JsonArray(cli.run("domains", "ls", "-p", project, "--json").stdout())).hasSize(1);
    }

    @Test
    void webhookSecretIsPrintedOnceWithTheUrl() throws Exception {
        KilnCli.Result made = cli.run("webhook", "secret", "-p", project);
        assertThat(made.exit()).as(made.toString()).isZero();
        String secret = made.stdout().trim();
        assertThat(secret).hasSizeGreaterThanOrEqualTo(20);
        assertThat(made.stderr()).contains("/hooks/" + project);
        KilnCli.Result again = cli.run("webhook", "secret", "-p", project, "--json");
        String second = new JsonObject(again.stdout()).getString("secret");
        assertThat(second).isNotEqualTo(secret);
        assertThat(kiln.admin("GET", "/projects/" + project, null).data().getString("webhook_url")).endsWith("/hooks/" + project);
    }

    private static JsonObject find(JsonArray items, String field, String value) {
        return items.stream().map(JsonObject.class::cast).filter(item -> value.equals(item.getString(field))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + field + " " + value + " in " + items));
    }
}
