package dev.kiln.bench;

import static dev.kiln.bench.Statistics.percentile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kiln.core.pipeline.BuildSandbox;
import dev.kiln.core.pipeline.ProcessCommandRunner;
import dev.kiln.plugin.api.Command;

/**
 * What the build sandbox adds to a build process: the same commands through Kiln's ProcessCommandRunner,
 * with the node's sandbox (builds.sandbox=auto) and without it (off), interleaved so both see the same load.
 * Run from the repository root after `mvn -o -q -B -DskipTests package -pl distribution,bench -am`:
 *
 *   java -cp "bench/target/classes:distribution/target/kiln/lib/*" dev.kiln.bench.SandboxBench [processes] [npm-builds]
 */
public final class SandboxBench {

    public static void main(String[] args) throws Exception {
        int processes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int npmBuilds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path root = Files.createTempDirectory("kiln-sandbox-bench");
        Path data = Files.createDirectories(root.resolve("data"));
        // Each side its own workspace and cache: the sandbox's files belong to the build account.
        Path workspace = Files.createDirectories(data.resolve("workspaces/1-1/src"));
        Path cache = Files.createDirectories(data.resolve("cache/project-1"));
        Path boxedWorkspace = Files.createDirectories(data.resolve("workspaces/2-1/src"));
        Path boxedCache = Files.createDirectories(data.resolve("cache/project-2"));
        BuildSandbox sandbox = BuildSandbox.configure(null, null, List.of(data));
        System.out.println("sandbox: " + sandbox.describe());
        Map<String, String> environment = Map.of("PATH", System.getenv("PATH"), "HOME", cache.toString(),
                "npm_config_cache", cache.resolve("npm-cache").toString());
        Map<String, String> boxedEnvironment = Map.of("PATH", System.getenv("PATH"), "HOME", boxedCache.toString(),
                "npm_config_cache", boxedCache.resolve("npm-cache").toString());

        List<Long> plain = new ArrayList<>();
        List<Long> boxed = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            plain.add(time(BuildSandbox.off(), workspace, cache, environment, Command.of(workspace, "true")));
            boxed.add(time(sandbox, boxedWorkspace, boxedCache, boxedEnvironment, Command.of(boxedWorkspace, "true")));
        }
        report("one process (`true`), " + processes + " runs", plain, boxed);

        for (Path directory : List.of(workspace, boxedWorkspace)) {
            Files.writeString(directory.resolve("package.json"), """
                    {"name": "bench-site", "version": "1.0.0", "private": true,
                     "scripts": {"build": "node build.js"}}
                    """);
            Files.writeString(directory.resolve("build.js"), """
                    const fs = require('fs');
                    fs.mkdirSync('dist', {recursive: true});
                    for (let i = 0; i < 200; i++) fs.writeFileSync('dist/page' + i + '.html', '<h1>' + i + '</h1>');
                    """);
        }
        sandbox.buildUid().ifPresent(uid -> chown(uid, data.resolve("workspaces/2-1"), boxedCache));
        String npmLine = "npm install --no-audit --no-fund --loglevel=error && npm run build --silent";
        plain.clear();
        boxed.clear();
        for (int i = 0; i < npmBuilds; i++) {
            plain.add(time(BuildSandbox.off(), workspace, cache, environment, Command.shell(workspace, npmLine)));
            boxed.add(time(sandbox, boxedWorkspace, boxedCache, boxedEnvironment, Command.shell(boxedWorkspace, npmLine)));
        }
        report("npm install + npm run build (node writes 200 pages), " + npmBuilds + " runs", plain, boxed);
    }

    private static long time(BuildSandbox sandbox, Path workspace, Path cache, Map<String, String> environment, Command command)
            throws Exception {
        var runner = new ProcessCommandRunner(sandbox, List.of(workspace.getParent(), cache), "bench", environment,
                line -> { }, () -> false, Duration.ofMinutes(5));
        long start = System.nanoTime();
        var result = runner.run(command);
        long micros = (System.nanoTime() - start) / 1000;
        if (!result.succeeded()) {
            throw new IllegalStateException(command.display() + " failed: " + result.lastLines());
        }
        return micros;
    }

    private static void chown(int uid, Path... paths) {
        try {
            List<String> command = new ArrayList<>(List.of("chown", "-R", uid + ":" + uid));
            for (Path path : paths) {
                command.add(path.toString());
            }
            new ProcessBuilder(command).inheritIO().start().waitFor();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void report(String what, List<Long> plain, List<Long> boxed) {
        System.out.printf("| %s | %.1f ms | %.1f ms | %+.1f ms |%n", what, percentile(plain, 50) / 1000.0, percentile(boxed, 50) / 1000.0,
                (percentile(boxed, 50) - percentile(plain, 50)) / 1000.0);
    }
}
