package dev.kiln.core.pipeline;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.kiln.plugin.api.BuildCancelledException;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildLog;
import dev.kiln.plugin.api.BuildTimeoutException;
import dev.kiln.plugin.api.Command;
import dev.kiln.plugin.api.CommandResult;
import dev.kiln.plugin.api.CommandRunner;

/**
 * Runs build processes as the host's {@link CommandRunner}: each in the node's {@link BuildSandbox} and its
 * own session (so the whole tree can be killed with one signal to its process group), with the build's
 * environment only, every output line copied to the deployment log, and the build's deadline and cancel
 * signal enforced.
 */
public final class ProcessCommandRunner implements CommandRunner {

    private static final int TAIL_LINES = 20;
    private static final long POLL_MILLIS = 50;
    private static final Optional<Path> SETSID = findOnPath("setsid", System.getenv("PATH"));

    private final BuildSandbox sandbox;
    private final List<Path> writable;
    private final String owner;
    private final Map<String, String> environment;
    private final BuildLog log;
    private final BooleanSupplier cancelled;
    private final long deadlineNanos;
    private final Duration timeout;
    private static final long OUTPUT_DRAIN_SECONDS = 30;
    // The error lines of the command that ran last, for the deployment's error_message.
    private volatile List<String> lastErrorLines = List.of();

    /**
     * A runner for one build.
     *
     * @param environment the full environment processes run with
     * @param log where output lines go
     * @param cancelled true once the deployment is cancelled
     * @param timeout the whole build's time limit, counted from now
     */
    public ProcessCommandRunner(Map<String, String> environment, BuildLog log, BooleanSupplier cancelled, Duration timeout) {
        this(BuildSandbox.off(), List.of(), "", environment, log, cancelled, timeout);
    }

    /**
     * A runner for one build in a sandbox.
     *
     * @param sandbox the node's sandbox
     * @param writable what the build may write: its workspace and its project's cache directory
     * @param owner the node running it, so that a restarted node finds what it left behind
     * @param environment the full environment processes run with
     * @param log where output lines go
     * @param cancelled true once the deployment is cancelled
     * @param timeout the whole build's time limit, counted from now
     */
    public ProcessCommandRunner(BuildSandbox sandbox, List<Path> writable, String owner, Map<String, String> environment, BuildLog log,
                                BooleanSupplier cancelled, Duration timeout) {
        this.sandbox = sandbox;
        this.writable = List.copyOf(writable);
        this.owner = owner;
        this.environment = Map.copyOf(environment);
        this.log = log;
        this.cancelled = cancelled;
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    @Override
    public CommandResult run(Command command) throws BuildException, InterruptedException {
        checkStillWanted(command);
        if (sandbox.problem().isPresent()) {
            throw new BuildException(sandbox.problem().get());
        }
        List<String> arguments = sandbox.wrap(resolveProgram(command), command.workingDirectory(), writable);

        ProcessBuilder builder = new ProcessBuilder(arguments)
                .directory(command.workingDirectory().toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().putAll(command.environment());
        if (!owner.isEmpty()) {
            builder.environment().put(BuildSandbox.OWNER_VARIABLE, owner);
        }

        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BuildException("could not start `" + command.display() + "`: " + e.getMessage(), e);
        }
        Deque<String> tail = new ArrayDeque<>();
        List<String> errorLines = new ArrayList<>();
        lastErrorLines = errorLines;
        Thread reader = new Thread(() -> copyOutput(process, tail, errorLines), "build-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean()) {
                    killTree(process);
                    throw new BuildCancelledException("cancelled while running `" + command.display() + "`");
                }
                if (System.nanoTime() - deadlineNanos > 0) {
                    killTree(process);
                    throw new BuildTimeoutException("build timed out after " + timeout.toSeconds()
                            + " s while running `" + command.display() + "`");
                }
            }
        } catch (InterruptedException e) {
            killTree(process);
            throw e;
        } finally {
            // A build must not leave daemons behind: whatever it started in its group goes too.
            killTree(process);
            // The tree is gone, so the pipe ends once the reader has taken what was written: wait for
            // that (a build that prints thousands of lines at its end would otherwise lose them), with a
            // bound for a writer that escaped the tree.
            reader.join(TimeUnit.SECONDS.toMillis(OUTPUT_DRAIN_SECONDS));
        }
        if (process.exitValue() == 0) {
            // Only a failed command explains a failure; a later one is the builder's own.
            lastErrorLines = List.of();
        }
        synchronized (tail) {
            return new CommandResult(process.exitValue(), List.copyOf(tail));
        }
    }

    private void checkStillWanted(Command command) throws BuildException {
        if (cancelled.getAsBoolean()) {
            throw new BuildCancelledException("cancelled before `" + command.display() + "`");
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new BuildTimeoutException("build timed out after " + timeout.toSeconds() + " s before `" + command.display() + "`");
        }
    }

    private List<String> resolveProgram(Command command) throws BuildException {
        String program = command.arguments().get(0);
        if (program.contains("/")) {
            return command.arguments();
        }
        String path = command.environment().getOrDefault("PATH", environment.get("PATH"));
        Path resolved = findOnPath(program, path)
                .orElseThrow(() -> new BuildException("`" + program + "` is not installed on this node (not found on PATH)"));
        List<String> arguments = new ArrayList<>(command.arguments());
        arguments.set(0, resolved.toString());
        return arguments;
    }

    /**
     * The first lines the last command printed that report an error, for the deployment's
     * {@code error_message}.
     *
     * @return at most {@link ErrorSummary#MAX_ERROR_LINES} lines, as printed
     */
    List<String> lastErrorLines() {
        List<String> lines = lastErrorLines;
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    private void copyOutput(Process process, Deque<String> tail, List<String> errorLines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.line(line);
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
                if (ErrorSummary.isErrorLine(line)) {
                    synchronized (errorLines) {
                        if (errorLines.size() < ErrorSummary.MAX_ERROR_LINES) {
                            errorLines.add(line);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // The stream closes when the tree is killed; what was read is in the log already.
        }
    }

    /** Kills the process's whole group and any descendant that left it. */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (SETSID.isPresent()) {
            try {
                new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor(2, TimeUnit.SECONDS);
            } catch (IOException e) {
                // Fall through to killing the handles one by one.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        // Through the handle: Process.destroyForcibly() would also close the output pipe, and what the
        // build wrote last, still unread in it, would be lost.
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
        }
    }

    /**
     * Looks a program up on a {@code PATH} string.
     *
     * @param program the program name
     * @param path the PATH value, may be null
     * @return the executable, when found
     */
    public static Optional<Path> findOnPath(String program, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
