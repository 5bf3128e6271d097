package dev.kiln.bench;

// Builder overhead benchmark for Kiln (not a test): for an npm and a hugo site, the time from
// trigger to deployed through Kiln, next to the same build tool run alone on the same files; the
// difference is what a deployment spends in Kiln itself (fetch, checkout, detection, the builder's
// own checks, upload, promotion).
//
// Run from the repository root after `mvn -o -q -B -DskipTests package -pl distribution,bench -am` (needs node/npm and hugo):
//   java -cp "bench/target/classes:distribution/target/kiln/lib/*" dev.kiln.bench.BuilderBench [runs]
import static dev.kiln.bench.Statistics.percentile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vertx.core.json.JsonObject;

public class BuilderBench {

    static final String TOKEN = "bench-builder-token";
    static KilnClient client;

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

        KilnProcess server = KilnProcess.start(KilnProcess.DISTRIBUTION, List.of("--port", "0", "--host", "127.0.0.1",
                "--data-dir", work.resolve("data").toString()), Map.of("KILN_ADMIN_TOKEN", TOKEN), null, null, 120);
        client = new KilnClient(server.url(), TOKEN);

        System.out.printf("| builder | runs | Kiln, trigger to deployed, p50 | p90 | tool alone, p50 | p90 | in Kiln itself, p50 |%n");
        System.out.printf("|---|---|---|---|---|---|---|%n");
        report("npm (`npm ci` + `npm run build`)", runs, deployments(npm, "npm-bench", runs),
                toolAlone(npm, runs, "npm ci --no-audit --no-fund && npm run build"));
        report("hugo (`hugo --minify`)", runs, deployments(hugo, "hugo-bench", runs),
                toolAlone(hugo, runs, "hugo --minify --baseURL http://localhost/ --destination public"));
        server.close();
    }

    static void report(String name, int runs, List<Double> kiln, List<Double> tool) {
        System.out.printf("| %s | %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n", name, runs, percentile(kiln, 50),
                percentile(kiln, 90), percentile(tool, 50), percentile(tool, 90), percentile(kiln, 50) - percentile(tool, 50));
    }

    static List<Double> deployments(Path repo, String name, int runs) throws Exception {
        long project = client.createProject(new JsonObject().put("name", name).put("repo_url", repo.toUri().toString()));
        List<Double> times = new ArrayList<>();
        for (int i = -3; i < runs; i++) {
            long start = System.nanoTime();
            long id = client.trigger(project);
            client.awaitStatus(project, id, 2, "deployed");
            if (i >= 0) {
                times.add((System.nanoTime() - start) / 1e6);
            }
        }
        return times;
    }

    static List<Double> toolAlone(Path repo, int runs, String command) throws Exception {
        Path copy = Files.createTempDirectory("kiln-tool-alone");
        Processes.inherit(copy.getParent(), "sh", "-c", "rm -rf '" + copy + "' && git clone -q '" + repo + "' '" + copy + "'");
        List<Double> times = new ArrayList<>();
        for (int i = -3; i < runs; i++) {
            Processes.inherit(copy, "sh", "-c", "rm -rf node_modules dist public");
            long start = System.nanoTime();
            Processes.inherit(copy, "sh", "-c", command + " > /dev/null 2>&1");
            if (i >= 0) {
                times.add((System.nanoTime() - start) / 1e6);
            }
        }
        return times;
    }

    static Path repo(Path directory, List<String> files) throws Exception {
        Map<String, String> contents = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i += 2) {
            contents.put(files.get(i), files.get(i + 1));
        }
        return GitRepositories.create(directory, contents);
    }
}
