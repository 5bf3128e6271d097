package dev.kiln.core.sites;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonObject;

/**
 * The embedded PostgreSQL is killed and kept from coming back (the test holds its port and closes
 * every connection to it, so the supervisor's restarts fail until the test lets go): sites that were resolved before keep serving
 * their last known deployment, a host never seen answers 503, and once the database is back a
 * rollback is served again.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class SitesDatabaseOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DOMAIN = "www.outage-example.test";

    @TempDir
    Path temp;

    @Test
    void sitesKeepServingTheirLastKnownDeploymentWhileTheDatabaseIsAway() throws Exception {
        try (TestKiln kiln = TestKiln.startEmbedded(temp.resolve("data"));
             GitRepo repo = GitRepo.create(temp.resolve("repo"))) {
            repo.write("index.html", "version one").write("assets/app.js", "// one").write("about.html", "about one").commit("one");
            JsonObject project = kiln.createProject("Outage Site", repo.url(), null);
            long projectId = project.getLong("id");
            JsonObject first = deploy(kiln, projectId);
            repo.write("index.html", "version two").write("assets/app.js", "// two").write("about.html", "about two").commit("two");
            JsonObject second = deploy(kiln, projectId);
            String production = project.getString("production_url");
            String secondHost = second.getString("deployment_url");
            String firstHost = first.getString("deployment_url");
            String custom = "http://" + DOMAIN + ":" + kiln.server().actualPort() + "/";
            Response added = kiln.admin("POST", "/projects/" + projectId + "/domains", new JsonObject().put("domain", DOMAIN).put("verified", true));
            assertThat(added.status()).as(added.body()).isEqualTo(201);
            Eventually.await(WAIT, "the custom domain to be served", () -> kiln.get(custom).body().equals("version two"));
            assertThat(kiln.get(production).body()).isEqualTo("version two");
            assertThat(kiln.get(secondHost).body()).isEqualTo("version two");
            // A second domain's notification empties the node's cache: from here on, the hosts above
            // are known only from their last answers.
            String other = "http://other." + DOMAIN + ":" + kiln.server().actualPort() + "/";
            assertThat(kiln.admin("POST", "/projects/" + projectId + "/domains", new JsonObject().put("domain", "other." + DOMAIN)
                    .put("verified", true)).status()).isEqualTo(201);
            Eventually.await(WAIT, "the second domain to be served", () -> kiln.get(other).body().equals("version two"));

            Path pgdata = temp.resolve("data/postgres/pgdata");
            try (ServerSocket held = killAndHoldPort(pgdata)) {
                Eventually.await(WAIT, "/health to answer 503", () -> kiln.send("GET", "/health", Map.of(), null).status() == 503);

                for (String site : List.of(production, secondHost, custom)) {
                    Response page = kiln.get(site);
                    assertThat(page.status()).as(site).isEqualTo(200);
                    assertThat(page.body()).isEqualTo("version two");
                    // Files never asked for before come from the disk too.
                    assertThat(kiln.get(site + "assets/app.js").body()).isEqualTo("// two");
                    assertThat(kiln.get(site + "about.html").body()).isEqualTo("about two");
                    assertThat(kiln.get(site + "missing.html").status()).isEqualTo(404);
                }
                Response unknown = kiln.get(firstHost);
                assertThat(unknown.status()).isEqualTo(503);
                assertThat(unknown.header("Retry-After")).isNotNull();
                assertThat(unknown.header("Content-Type")).startsWith("text/plain");
                assertThat(kiln.send("GET", "/health", Map.of(), null).status()).as("the database was away all along").isEqualTo(503);
            }

            Eventually.await(WAIT, "the API to answer again", () -> kiln.admin("GET", "/projects/" + projectId, null).status() == 200);
            Response rolledBack = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + first.getLong("id") + "/rollback", null);
            assertThat(rolledBack.status()).as(rolledBack.body()).isEqualTo(200);
            Eventually.await(WAIT, "the rollback to be served", () -> kiln.get(production).body().equals("version one"));
            assertThat(kiln.get(production + "assets/app.js").body()).isEqualTo("// one");
            assertThat(kiln.get(custom).body()).isEqualTo("version one");
            assertThat(kiln.get(firstHost).body()).isEqualTo("version one");
            assertThat(kiln.get(secondHost).body()).isEqualTo("version two");
        }
    }

    private static JsonObject deploy(TestKiln kiln, long projectId) throws Exception {
        JsonObject queued = kiln.trigger(projectId);
        JsonObject deployed = kiln.awaitStatus(projectId, queued.getLong("id"), WAIT, "deployed", "failed");
        assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");
        return deployed;
    }

    /** Closes every connection at once, as a port nobody listens on would refuse it. */
    private static void refuseConnections(ServerSocket socket) {
        Thread refuser = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    socket.accept().close();
                } catch (IOException e) {
                    // closed by the test, or the client gave up first
                }
            }
        }, "refuse-database-connections");
        refuser.setDaemon(true);
        refuser.start();
    }

    /**
     * Kills the postmaster and binds its port before the supervisor starts it again; should the
     * supervisor win the race, its new postmaster is killed in turn.
     */
    private static ServerSocket killAndHoldPort(Path pgdata) throws Exception {
        long killed = -1;
        for (int attempt = 0; attempt < 20; attempt++) {
            long previous = killed;
            Eventually.await(WAIT, "a running postmaster", () -> {
                List<String> lines = Files.readAllLines(pgdata.resolve("postmaster.pid"));
                long pid = Long.parseLong(lines.get(0).trim());
                return pid != previous && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && lines.size() > 3;
            });
            List<String> pidFile = Files.readAllLines(pgdata.resolve("postmaster.pid"));
            long pid = Long.parseLong(pidFile.get(0).trim());
            int port = Integer.parseInt(pidFile.get(3).trim());
            new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
            killed = pid;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline) {
                try {
                    ServerSocket socket = new ServerSocket();
                    socket.setReuseAddress(true);
                    try {
                        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                        refuseConnections(socket);
                        return socket;
                    } catch (IOException e) {
                        socket.close();
                    }
                } catch (IOException e) {
                    // try again
                }
                Thread.onSpinWait();
            }
        }
        throw new AssertionError("could not keep the database's port from its supervisor");
    }
}
