package dev.kiln.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import dev.kiln.core.testing.Eventually;
import picocli.CommandLine;

/**
 * Runs the real CLI as a user would: {@code java dev.kiln.cli.Main} in a child process, with
 * only the CLI's own classes and picocli on its class path, a home and config of its own, and
 * none of the caller's {@code KILN_*}, {@code CI} or {@code NO_COLOR} variables.
 */
final class KilnCli {

    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Path home;
    private final Map<String, String> environment = new HashMap<>();
    private Path directory;

    KilnCli(Path home) throws IOException {
        this.home = home;
        this.directory = home;
        Files.createDirectories(home);
        environment.put("HOME", home.toString());
        environment.put("KILN_CONFIG", home.resolve("config").resolve("kiln.json").toString());
    }

    /** Sets (or with null, removes) an environment variable of the next runs. */
    KilnCli env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** The working directory of the next runs. */
    KilnCli in(Path workingDirectory) throws IOException {
        Files.createDirectories(workingDirectory);
        this.directory = workingDirectory;
        return this;
    }

    Path configFile() {
        return Path.of(environment.get("KILN_CONFIG"));
    }

    /** A finished run. */
    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** A run in progress: its output so far is readable while it runs. */
    static final class Running {
        final Process process;
        final Path stdout;
        final Path stderr;

        Running(Process process, Path stdout, Path stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        String stdoutSoFar() throws IOException {
            return Files.readString(stdout, StandardCharsets.UTF_8);
        }

        /** Types on the terminal (or writes to stdin). */
        void type(String text) throws IOException {
            process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        /** Waits (at most {@code timeout}) until stdout shows {@code condition}. */
        void awaitStdout(Predicate<String> condition, Duration timeout) throws Exception {
            awaitOutput("stdout", this::stdoutSoFar, condition, timeout);
        }

        String stderrSoFar() throws IOException {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        }

        /** Waits (at most {@code timeout}) until stderr shows {@code condition}. */
        void awaitStderr(Predicate<String> condition, Duration timeout) throws Exception {
            awaitOutput("stderr", this::stderrSoFar, condition, timeout);
        }

        /** Waits until the output matches; fails at once when the process ended without it matching. */
        private void awaitOutput(String name, Callable<String> soFar, Predicate<String> condition, Duration timeout) throws Exception {
            try {
                Eventually.await(timeout, name + " to match", () -> {
                    if (condition.test(soFar.call())) {
                        return true;
                    }
                    if (!process.isAlive() && !condition.test(soFar.call())) {
                        throw new AssertionError("the process ended");
                    }
                    return false;
                });
            } catch (AssertionError e) {
                throw new AssertionError(name + " never matched; process alive: " + process.isAlive() + "\n" + soFar.call(), e);
            }
        }

        Result await(Duration timeout) throws Exception {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kiln did not finish in " + timeout + "\n" + stderrSoFar());
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8), stderrSoFar());
        }
    }

    Result run(String... args) throws Exception {
        return runWithInput(null, args);
    }

    Result runWithInput(String stdin, String... args) throws Exception {
        return start(stdin, args).await(Duration.ofMinutes(2));
    }

    /**
     * Runs the CLI on a pseudo-terminal (util-linux {@code script}), as in an interactive shell.
     * The result's stdout is the terminal's text: the CLI's stdout and stderr together.
     */
    Result runOnTerminal(String... args) throws Exception {
        return startOnTerminal(args).await(Duration.ofMinutes(2));
    }

    /** Starts the CLI on a pseudo-terminal; what is written to the process's input is typed on it. */
    Running startOnTerminal(String... args) throws Exception {
        StringBuilder command = new StringBuilder("exec");
        for (String part : javaCommand(args)) {
            command.append(" '").append(part.replace("'", "'\\''")).append('\'');
        }
        return launch("", List.of("script", "-qec", command.toString(), "/dev/null"));
    }

    Running start(String stdin, String... args) throws Exception {
        return launch(stdin, javaCommand(args));
    }

    private static List<String> javaCommand(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath(), "dev.kiln.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    private Running launch(String stdin, List<String> command) throws Exception {
        int run = RUNS.incrementAndGet();
        Path stdout = home.resolve("run-" + run + ".out");
        Path stderr = home.resolve("run-" + run + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("KILN_") || name.equals("CI") || name.equals("NO_COLOR"));
        environment.forEach((name, value) -> {
            if (value == null) {
                env.remove(name);
            } else {
                env.put(name, value);
            }
        });
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process = builder.start();
        if (stdin != null && !stdin.isEmpty()) {
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        return new Running(process, stdout, stderr);
    }

    /** The CLI's classes and picocli: what the distribution's bin/kiln puts on the class path, nothing more. */
    static String classPath() throws Exception {
        String classes = System.getProperty("kiln.cli.classes", "target/classes");
        Path picocli = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return classes + File.pathSeparator + picocli;
    }
}
