package dev.kiln.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.store.embedded.EmbeddedDatabase;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonObject;

/** The database goes away and comes back: 503 in the contract's shapes meanwhile, and recovery without a restart. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class DatabaseOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void aKilledEmbeddedDatabaseIsRestartedAndTheApiWorksAgainWithoutARestartOfKiln() throws Exception {
        try (TestKiln kiln = TestKiln.startEmbedded(temp.resolve("data"))) {
            Response created = kiln.admin("POST", "/tokens", new JsonObject().put("name", "before-the-crash"));
            assertThat(created.status()).isEqualTo(201);
            Path cluster = temp.resolve("data/postgres/pgdata");
            long postmaster = Long.parseLong(Files.readAllLines(cluster.resolve("postmaster.pid")).get(0).trim());

            new ProcessBuilder("kill", "-9", Long.toString(postmaster)).inheritIO().start().waitFor();

            List<Integer> seen = new ArrayList<>();
            Eventually.await(WAIT, "the API to answer again", () -> {
                Response tokens = kiln.admin("GET", "/tokens", null);
                seen.add(tokens.status());
                if (tokens.status() != 200) {
                    assertThat(tokens.status()).isEqualTo(503);
                    assertThat(tokens.errorCode()).isEqualTo("unavailable");
                    return false;
                }
                return tokens.body().contains("before-the-crash");
            });
            assertThat(seen).doesNotContain(500);
            long restarted = Long.parseLong(Files.readAllLines(cluster.resolve("postmaster.pid")).get(0).trim());
            assertThat(restarted).isNotEqualTo(postmaster);
            Eventually.await(WAIT, "/health to answer 200", () -> kiln.send("GET", "/health", Map.of(), null).status() == 200);
        }
    }

    @Test
    void anExternalDatabaseThatGoesAwayIs503UntilItIsBack() throws Exception {
        Path external = temp.resolve("external");
        EmbeddedDatabase database = EmbeddedDatabase.start(external, false);
        String url = database.connectionUri();
        try (TestKiln kiln = TestKiln.start(temp.resolve("data"), url, TestKiln::registerFakes)) {
            assertThat(kiln.send("GET", "/health", Map.of(), null).status()).isEqualTo(200);
            assertThat(kiln.admin("GET", "/tokens", null).status()).isEqualTo(200);

            database.close();

            Eventually.await(WAIT, "/health to answer 503", () -> kiln.send("GET", "/health", Map.of(), null).status() == 503);
            Response health = kiln.send("GET", "/health", Map.of(), null);
            assertThat(health.json().getString("status")).isEqualTo("unavailable");
            assertThat(health.json().getString("reason")).contains("database");
            Response apiHealth = kiln.api("GET", "/health", null, null);
            assertThat(apiHealth.status()).isEqualTo(503);
            assertThat(apiHealth.json().getString("status")).isEqualTo("unavailable");
            Eventually.await(WAIT, "the API to answer 503", () -> kiln.admin("GET", "/tokens", null).status() == 503);
            Response tokens = kiln.admin("GET", "/tokens", null);
            assertThat(tokens.errorCode()).isEqualTo("unavailable");
            assertThat(tokens.json().getJsonObject("error").getString("message")).contains("database");
            assertThat(kiln.admin("GET", "/nodes", null).status()).isEqualTo(503);

            database = EmbeddedDatabase.start(external, false);
            assertThat(database.connectionUri()).isEqualTo(url);

            Eventually.await(WAIT, "/health to answer 200", () -> kiln.send("GET", "/health", Map.of(), null).status() == 200);
            Eventually.await(WAIT, "the API to answer 200", () -> kiln.admin("GET", "/tokens", null).status() == 200);
            assertThat(kiln.admin("POST", "/tokens", new JsonObject().put("name", "after")).status()).isEqualTo(201);
        } finally {
            database.close();
        }
    }
}
