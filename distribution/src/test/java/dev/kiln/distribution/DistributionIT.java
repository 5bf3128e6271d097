package dev.kiln.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The README's walkthrough against the assembled distribution: {@code bin/kiln server} with the
 * embedded PostgreSQL and the bundled plugin jars loaded by PF4J from {@code plugins/}.
 */
class DistributionIT {

    private static final String TOKEN = "distribution-test-token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    private String url;

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject api(String method, String path, JsonObject body) throws Exception {
        return new JsonObject(send(method, "/api/v1/public" + path, body == null ? null : body.encode()).body());
    }

    private JsonObject awaitDeployed(long project, long id) throws Exception {
        return Eventually.value(Duration.ofSeconds(60), "deployment " + id + " to end", () -> {
            JsonObject deployment = api("GET", "/projects/" + project + "/deployments/" + id, null).getJsonObject("data");
            return deployment.getString("status").matches("queued|cloning|building|uploading|deploying") ? null : deployment;
        });
    }

    /** Runs bin/kiln as the command line client, with its own home and config. */
    private record Cli(Path kiln, Path home, Path directory) {

        record Result(int exit, String stdout, String stderr) {
        }

        Result run(String stdin, String... args) throws Exception {
            java.nio.file.Files.createDirectories(home);
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(kiln.toString()));
            command.addAll(java.util.List.of(args));
            Path out = java.nio.file.Files.createTempFile(home, "out", ".txt");
            Path err = java.nio.file.Files.createTempFile(home, "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("KILN_"));
            builder.environment().put("HOME", home.toString());
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            return new Result(process.exitValue(), java.nio.file.Files.readString(out), java.nio.file.Files.readString(err));
        }
    }

    @Test
    void theWalkthroughWorksOnTheAssembledDistribution() throws Exception {
        Path kiln = Path.of(System.getProperty("kiln.distribution"), "bin", "kiln");
        ProcessBuilder builder = new ProcessBuilder(kiln.toString(), "server", "--port", "0", "--host", "127.0.0.1",
                "--data-dir", temp.resolve("data").toString()).redirectErrorStream(true);
        builder.environment().put("KILN_ADMIN_TOKEN", TOKEN);
        Process server = builder.start();
        try (GitRepo repo = GitRepo.create(temp.resolve("my-site"))) {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder log = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                log.append(line).append('\n');
                if (line.startsWith("Kiln is ready at ")) {
                    url = line.substring("Kiln is ready at ".length(), line.indexOf(' ', "Kiln is ready at ".length()));
                    break;
                }
            }
            assertThat(url).as("server output:\n" + log).isNotNull();
            Thread drain = new Thread(() -> out.lines().forEach(ignored -> { }));
            drain.setDaemon(true);
            drain.start();

            JsonArray plugins = api("GET", "/plugins", null).getJsonArray("data");
            assertThat(plugins.stream().map(plugin -> ((JsonObject) plugin).getString("id")))
                    .contains("builder-static", "builder-npm", "builder-hugo", "builder-maven", "storage-local", "storage-s3");

            // The walkthrough with the command line first: bin/kiln login, projects create, link, deploy, ls, rollback.
            repo.write("index.html", "<h1>Hello from v1</h1>").commit("First version");
            Cli cli = new Cli(kiln, temp.resolve("home"), temp.resolve("my-site"));
            assertThat(cli.run(TOKEN + "\n", "login", "--server", url).exit()).isZero();
            Cli.Result created = cli.run(null, "projects", "create", "--name", "My Site", "--repo", repo.url(), "--json");
            assertThat(created.exit()).as(created.toString()).isZero();
            long project = new JsonObject(created.stdout()).getLong("id");
            assertThat(cli.run(null, "link", "my-site").exit()).isZero();
            Cli.Result deploy = cli.run(null, "deploy");
            assertThat(deploy.exit()).as(deploy.toString()).isZero();
            JsonObject deployed = api("GET", "/projects/" + project + "/deployments?per_page=1", null).getJsonArray("data").getJsonObject(0);
            long first = deployed.getLong("id");
            assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");
            assertThat(deployed.getString("builder")).isEqualTo("static");
            assertThat(deploy.stdout().strip()).isEqualTo(deployed.getString("deployment_url"));
            assertThat(send("GET", "/sites/my-site/", null).body()).isEqualTo("<h1>Hello from v1</h1>");

            repo.write("index.html", "<h1>Hello from v2</h1>").commit("Second version");
            Cli.Result again = cli.run(null, "deploy", "--json");
            assertThat(again.exit()).as(again.toString()).isZero();
            long second = new JsonObject(again.stdout()).getLong("id");
            assertThat(awaitDeployed(project, second).getString("status")).isEqualTo("deployed");
            assertThat(send("GET", "/sites/my-site/", null).body()).isEqualTo("<h1>Hello from v2</h1>");
            assertThat(cli.run(null, "ls").stdout()).contains(Long.toString(first), Long.toString(second), "Second version");

            assertThat(cli.run(null, "rollback", Long.toString(first)).exit()).isZero();
            assertThat(send("GET", "/sites/my-site/", null).body()).isEqualTo("<h1>Hello from v1</h1>");
            assertThat(send("GET", "/sites/my-site/d/" + second + "/", null).body()).isEqualTo("<h1>Hello from v2</h1>");
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }
}
