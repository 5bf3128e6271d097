package dev.kiln.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;

/** Two nodes on the first one's embedded database: the first restarts and the second keeps working. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class FarmRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void theSecondNodeKeepsWorkingWhenTheFirstRestarts() throws Exception {
        Path first = temp.resolve("kiln-data-1");
        TestKiln one = TestKiln.startEmbedded(first);
        // what `kiln server` prints for the other nodes
        String arguments = one.server().databaseJoinArguments().orElseThrow();
        assertThat(arguments).doesNotContain(Files.readString(first.resolve("postgres/password")).strip());
        String[] words = arguments.split(" ");
        assertThat(words[0]).isEqualTo("--database-url");
        assertThat(words[2]).isEqualTo("--database-password-file");
        DatabaseOptions options = new DatabaseOptions();
        options.databaseUrl = words[1];
        options.passwordFile = Path.of(words[3]);
        String shared = options.url(new CommandLine(new Main()));

        try (TestKiln two = TestKiln.start(temp.resolve("kiln-data-2"), shared, TestKiln::registerFakes)) {
            Response created = two.admin("POST", "/tokens", new JsonObject().put("name", "made-on-node-2"));
            assertThat(created.status()).isEqualTo(201);
            assertThat(nodeIds(one)).contains(one.server().nodeId(), two.server().nodeId());

            one.close();
            Eventually.await(WAIT, "node 2 to notice", () -> two.send("GET", "/health", Map.of(), null).status() == 503);
            one = TestKiln.startEmbedded(first);

            Eventually.await(WAIT, "node 2 to be healthy again", () -> two.send("GET", "/health", Map.of(), null).status() == 200);
            Eventually.await(WAIT, "node 2's API", () -> two.admin("GET", "/tokens", null).status() == 200);
            assertThat(two.admin("GET", "/tokens", null).body()).contains("made-on-node-2");
            assertThat(two.admin("POST", "/tokens", new JsonObject().put("name", "after-the-restart")).status()).isEqualTo(201);
            TestKiln restarted = one;
            Eventually.await(WAIT, "both nodes up", () -> nodeStates(restarted).equals(Map.of(
                    restarted.server().nodeId(), "up", two.server().nodeId(), "up")));
        } finally {
            one.close();
        }
    }

    @Test
    void adminTokenResetMakesANewTokenWhileTheServerRunsAndWhenItIsStopped() throws Exception {
        Path data = temp.resolve("data");
        try (TestKiln kiln = TestKiln.startEmbedded(data)) {
            String token = reset(data);
            assertThat(kiln.api("GET", "/tokens", token, null).status()).isEqualTo(200);
            assertThat(kiln.api("GET", "/tokens", TestKiln.ADMIN, null).status()).isEqualTo(401);
        }
        String again = reset(data);
        try (TestKiln kiln = TestKiln.startEmbedded(data)) {
            // the node installs its configured token at start; the reset one was replaced by it
            assertThat(kiln.api("GET", "/tokens", again, null).status()).isEqualTo(401);
            assertThat(kiln.api("GET", "/tokens", TestKiln.ADMIN, null).status()).isEqualTo(200);
        }
        StringWriter err = new StringWriter();
        CommandLine withoutReset = Main.commandLine();
        withoutReset.setErr(new PrintWriter(err, true));
        assertThat(withoutReset.execute("admin-token", "--data-dir", data.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--reset");
    }

    private static String reset(Path data) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute("admin-token", "--reset", "--data-dir", data.toString());
        assertThat(exit).as("exit status; errors: %s", err).isZero();
        String line = out.toString().strip();
        assertThat(line).startsWith("New admin token");
        return line.substring(line.lastIndexOf(' ') + 1);
    }

    private static java.util.List<String> nodeIds(TestKiln kiln) throws Exception {
        return nodeStates(kiln).keySet().stream().toList();
    }

    private static Map<String, String> nodeStates(TestKiln kiln) throws Exception {
        JsonArray nodes = kiln.admin("GET", "/nodes", null).json().getJsonArray("data");
        Map<String, String> states = new java.util.HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            states.put(nodes.getJsonObject(i).getString("id"), nodes.getJsonObject(i).getString("state"));
        }
        return states;
    }
}
