package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/** {@code kiln projects create --node-version} and {@code kiln projects show} against a real server. */
class CliNodeVersionTest {

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();

    @Test
    void createsAndShowsTheProjectsNodeVersion() throws Exception {
        KilnCli cli = new KilnCli(temp.resolve("user"));
        assertThat(cli.run("login", "--server", kiln.baseUrl(), "--token", TestKiln.ADMIN).exit()).isZero();

        KilnCli.Result created = cli.run("projects", "create", "--name", "node-pinned", "--repo", "https://example.com/acme/site.git",
                "--node-version", ">=18 <21", "--json");
        assertThat(created.exit()).as(created.toString()).isZero();
        assertThat(new JsonObject(created.stdout()).getString("node_version")).isEqualTo(">=18 <21");
        assertThat(cli.run("projects", "show", "node-pinned").stdout()).containsPattern("node_version:\\s+>=18 <21");

        KilnCli.Result refused = cli.run("projects", "create", "--name", "node-alias", "--repo", "https://example.com/acme/other.git",
                "--node-version", "lts/*");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.stderr()).contains("node_version");
    }
}
