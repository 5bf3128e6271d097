package dev.kiln.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@code kiln server} started from a built distribution ({@code distribution/target/kiln}), as an operator
 * runs it: its own JVM, found ready by the line {@code Kiln is ready at URL (node ID, ...)}.
 */
final class KilnProcess implements AutoCloseable {

    /** Where {@code mvn -pl distribution -am package} puts the distribution. */
    static final Path DISTRIBUTION = Path.of("distribution/target/kiln");

    private static final String READY = "Kiln is ready at ";

    private final Process process;
    private final String url;
    private final String nodeId;

    private KilnProcess(Process process, String url, String nodeId) {
        this.process = process;
        this.url = url;
        this.nodeId = nodeId;
    }

    /**
     * Starts a server and waits until it is ready.
     *
     * @param distribution the distribution's directory
     * @param arguments the arguments after {@code server}
     * @param environment further environment variables (KILN_ADMIN_TOKEN, JAVA_OPTS)
     * @param log where its output goes, or null to drop it
     * @param lines sees every line of its output, or null
     * @param timeoutSeconds how long it may take to get ready
     * @return the running server; stopped on close, or killed when the benchmark's JVM exits
     * @throws Exception when it cannot start or is not ready in time
     */
    static KilnProcess start(Path distribution, List<String> arguments, Map<String, String> environment, Path log,
                             Consumer<String> lines, int timeoutSeconds) throws Exception {
        Path launcher = distribution.resolve("bin/kiln").toAbsolutePath();
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("no Kiln distribution at " + distribution.toAbsolutePath()
                    + "; build it: mvn -q -o -B -DskipTests package -pl distribution -am");
        }
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "server"));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 Writer writer = log == null ? Writer.nullWriter() : Files.newBufferedWriter(log)) {
                for (String line; (line = output.readLine()) != null; ) {
                    writer.write(line);
                    writer.write('\n');
                    writer.flush();
                    if (lines != null) {
                        lines.accept(line);
                    }
                    if (line.startsWith(READY)) {
                        ready.complete(line);
                    }
                }
            } catch (IOException e) {
                // the server is gone
            }
            ready.completeExceptionally(new IllegalStateException("Kiln exited before it was ready" + (log == null ? "" : "; see " + log)));
        }, "kiln-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        String line;
        try {
            line = ready.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("Kiln did not get ready in " + timeoutSeconds + " s" + (log == null ? "" : "; see " + log));
        }
        String url = line.substring(READY.length(), line.indexOf(' ', READY.length()));
        int node = line.indexOf("(node ");
        String nodeId = node < 0 ? null : line.substring(node + 6, line.indexOf(',', node));
        return new KilnProcess(process, url, nodeId);
    }

    /**
     * Its base URL.
     *
     * @return for example {@code http://127.0.0.1:41234}
     */
    String url() {
        return url;
    }

    /**
     * Its node id.
     *
     * @return the id the API shows in a deployment's {@code node}
     */
    String nodeId() {
        return nodeId;
    }

    /**
     * Its process id: the launcher execs java, so this is the JVM.
     *
     * @return the pid
     */
    long pid() {
        return process.pid();
    }

    /** Kills it at once, as {@code kill -9} does. */
    void kill() {
        process.destroyForcibly();
    }

    /** Stops it as an operator would (SIGTERM), killing it after a minute. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
