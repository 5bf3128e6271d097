package dev.kiln.core.store.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A postmaster that outlived the Kiln that started it: PostgreSQL runs in a session of its own, so a Kiln killed with
 * SIGKILL leaves it running and holding the cluster. The directory's lock proves no live Kiln owns the cluster, so
 * such a postmaster is an orphan and is stopped.
 */
final class LeftoverServer {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverServer.class);
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

    private LeftoverServer() {
    }

    static void stop(Path cluster) throws IOException {
        long pid = postmasterPid(cluster);
        if (pid <= 0) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !isPostmasterOf(process.get(), cluster)) {
            return; // a stale pid file, which postgres itself ignores
        }
        LOG.warn("Stopping PostgreSQL (pid {}) left running on {} by an earlier Kiln", pid, cluster);
        signal(pid, "INT");
        if (!awaitGone(cluster, pid, SHUTDOWN_WAIT)) {
            throw new IllegalStateException("PostgreSQL (pid " + pid + ") left running on " + cluster
                    + " by an earlier Kiln did not stop; stop it and start again");
        }
    }

    /**
     * Sends a signal; SIGINT is PostgreSQL's fast shutdown, which Java cannot send by itself.
     *
     * @param pid the process
     * @param signal the signal's name, such as {@code INT}
     */
    static void signal(long pid, String signal) throws IOException {
        try {
            // the shell's builtin kill exists wherever sh does
            Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " \"$1\"", "sh", Long.toString(pid))
                    .redirectErrorStream(true).start();
            kill.getInputStream().transferTo(OutputStream.nullOutputStream());
            kill.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while signalling PostgreSQL " + pid, e);
        }
    }

    static long postmasterPid(Path cluster) throws IOException {
        Path pidFile = cluster.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return -1;
        }
        try (Stream<String> lines = Files.lines(pidFile)) {
            return lines.findFirst().map(String::trim).map(Long::parseLong).orElse(-1L);
        } catch (NumberFormatException | java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
            return -1;
        }
    }

    private static boolean isPostmasterOf(ProcessHandle process, Path cluster) {
        // pid files outlive reboots and pids get reused, so check that the pid really is a postmaster on this cluster
        String commandLine = process.info().commandLine().orElse("");
        return commandLine.contains("postgres") && commandLine.contains(cluster.toString());
    }

    // The postmaster removes its pid file as the last thing it does; exiting is enough too.
    static boolean awaitGone(Path cluster, long pid, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long current = postmasterPid(cluster);
            boolean running = current > 0 && (pid <= 0 || current == pid)
                    && ProcessHandle.of(current).map(ProcessHandle::isAlive).orElse(false);
            if (!running) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while waiting for PostgreSQL to stop", e);
            }
        }
    }
}
