// Builder overhead benchmark for Kiln (not a test): for an npm and a hugo site, the time from
// trigger to deployed through Kiln, next to the same build tool run alone on the same files; the
// difference is what a deployment spends in Kiln itself (fetch, checkout, detection, the builder's
// own checks, upload, promotion).
//
// Run from the repository root after `mvn -B -DskipTests package` (needs node/npm and hugo):
//   java -cp "distribution/target/kiln/lib/*" bench/BuilderBench.java [runs]
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.vertx.core.json.JsonObject;

public class BuilderBench {

    static final String TOKEN = "bench-builder-token";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String url;

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path work = Files.createTempDirectory("kiln-builder-bench");
        Path npm = repo(work.resolve("npm-site"), List.of(
                "package.json", "{\"name\":\"bench\",\"version\":\"1.0.0\",\"scripts\":{\"build\":\"node build.js\"}}",
                "package-lock.json", "{\"name\":\"bench\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"requires\":true,"
                        + "\"packages\":{\"\":{\"name\":\"bench\",\"version\":\"1.0.0\"}}}",
                "build.js", "require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/index.html','<h1>npm</h1>');"));
        Path hugo = repo(work.resolve("hugo-site"), List.of(
                "hugo.toml", "baseURL = 'http://example.org/'\ntitle = 'Bench'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n",
                "content/_index.md", "---\ntitle: Home\n---\nHello from hugo.\n",
                "layouts/index.html", "<h1>{{ .Title }}</h1>{{ .Content }}"));

        ProcessBuilder server = new ProcessBuilder(Path.of("distribution/target/kiln/bin/kiln").toAbsolutePath().toString(), "server",
                "--port", "0", "--host", "127.0.0.1", "--data-dir", work.resolve("data").toString()).redirectErrorStream(true);
        server.environment().put("KILN_ADMIN_TOKEN", TOKEN);
        Process process = server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith("Kiln is ready at ")) {
                url = line.substring("Kiln is ready at ".length(), line.indexOf(' ', "Kiln is ready at ".length()));
                break;
            }
        }
        Thread drain = new Thread(() -> reader.lines().forEach(ignored -> { }));
        drain.setDaemon(true);
        drain.start();

        System.out.printf("| builder | runs | Kiln, trigger to deployed, p50 | p90 | tool alone, p50 | p90 | in Kiln itself, p50 |%n");
        System.out.printf("|---|---|---|---|---|---|---|%n");
        report("npm (`npm ci` + `npm run build`)", runs, deployments(npm, "npm-bench", runs),
                toolAlone(npm, runs, "npm ci --no-audit --no-fund && npm run build"));
        report("hugo (`hugo --minify`)", runs, deployments(hugo, "hugo-bench", runs),
                toolAlone(hugo, runs, "hugo --minify --baseURL http://localhost/ --destination public"));
        process.destroyForcibly();
    }

    static void report(String name, int runs, List<Double> kiln, List<Double> tool) {
        System.out.printf("| %s | %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n", name, runs, percentile(kiln, 50),
                percentile(kiln, 90), percentile(tool, 50), percentile(tool, 90), percentile(kiln, 50) - percentile(tool, 50));
    }

    static List<Double> deployments(Path repo, String name, int runs) throws Exception {
        long project = request("POST", "/projects", new JsonObject().put("name", name).put("repo_url", repo.toUri().toString()))
                .getJsonObject("data").getLong("id");
        List<Double> times = new ArrayList<>();
        for (int i = -3; i < runs; i++) {
            long start = System.nanoTime();
            long id = request("POST", "/projects/" + project + "/deployments", null).getJsonObject("data").getLong("id");
            while (true) {
                JsonObject deployment = request("GET", "/projects/" + project + "/deployments/" + id, null).getJsonObject("data");
                String status = deployment.getString("status");
                if ("deployed".equals(status)) {
                    break;
                }
                if ("failed".equals(status)) {
                    throw new IllegalStateException("deployment failed: " + deployment);
                }
                Thread.sleep(2);
            }
            if (i >= 0) {
                times.add((System.nanoTime() - start) / 1e6);
            }
        }
        return times;
    }

    static List<Double> toolAlone(Path repo, int runs, String command) throws Exception {
        Path copy = Files.createTempDirectory("kiln-tool-alone");
        run(copy.getParent(), "sh", "-c", "rm -rf '" + copy + "' && git clone -q '" + repo + "' '" + copy + "'");
        List<Double> times = new ArrayList<>();
        for (int i = -3; i < runs; i++) {
            run(copy, "sh", "-c", "rm -rf node_modules dist public");
            long start = System.nanoTime();
            run(copy, "sh", "-c", command + " > /dev/null 2>&1");
            if (i >= 0) {
                times.add((System.nanoTime() - start) / 1e6);
            }
        }
        return times;
    }

    static Path repo(Path directory, List<String> files) throws Exception {
        for (int i = 0; i < files.size(); i += 2) {
            Path file = directory.resolve(files.get(i));
            Files.createDirectories(file.getParent());
            Files.writeString(file, files.get(i + 1));
        }
        run(directory, "git", "init", "-q", "-b", "main");
        run(directory, "git", "add", ".");
        run(directory, "git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-qm", "bench");
        return directory;
    }

    static void run(Path directory, String... command) throws Exception {
        if (new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    static JsonObject request(String method, String path, JsonObject body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/public" + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
        return new JsonObject(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    static double percentile(List<Double> values, int percentile) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }
}
