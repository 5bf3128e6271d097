package dev.kiln.core.store.embedded;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the postmaster and starts it again when it dies (killed, crashed, out of memory), on the same port and
 * cluster, with a growing pause between failed attempts. Logs once per change of state, not once per attempt.
 */
final class Supervisor {

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    private static final long FIRST_PAUSE_MILLIS = 200;
    private static final long LONGEST_PAUSE_MILLIS = 10_000;

    /** A server that was started, and its postmaster. */
    record Started(PostgresProcess postgres, Process postmaster) {
    }

    private final PostgresProcess postgres;
    private final Object lock = new Object();
    private final Thread watcher;
    private Process postmaster;
    private boolean closed;

    Supervisor(Started started) {
        this.postgres = started.postgres();
        this.postmaster = started.postmaster();
        this.watcher = new Thread(this::watch, "kiln-postgres-supervisor-" + postgres.port());
        watcher.setDaemon(true);
        watcher.start();
    }

    PostgresProcess postgres() {
        return postgres;
    }

    boolean running() {
        synchronized (lock) {
            return !closed && postmaster != null && postmaster.isAlive();
        }
    }

    long pid() {
        synchronized (lock) {
            return postmaster == null ? -1 : postmaster.pid();
        }
    }

    private void watch() {
        while (true) {
            Process current;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                current = postmaster;
            }
            try {
                int status = current.onExit().get().exitValue();
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                    postmaster = null;
                }
                LOG.warn("Embedded PostgreSQL (pid {}, port {}) exited with status {}; starting it again", current.pid(),
                        postgres.port(), status);
                restart();
            } catch (InterruptedException e) {
                return; // closing
            } catch (ExecutionException e) {
                LOG.error("Lost track of the embedded PostgreSQL", e);
                return;
            }
        }
    }

    private void restart() throws InterruptedException {
        long began = System.nanoTime();
        long pause = FIRST_PAUSE_MILLIS;
        boolean reported = false;
        while (true) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            try {
                // backends of a killed postmaster exit on their own; until they do, the cluster is still in use
                Process started = postgres.start();
                synchronized (lock) {
                    if (closed) {
                        postgres.stop(started);
                        return;
                    }
                    postmaster = started;
                }
                LOG.info("Embedded PostgreSQL is back on port {} (pid {}) after {} ms", postgres.port(), started.pid(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
                return;
            } catch (IOException | RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
                if (!reported) {
                    LOG.warn("Embedded PostgreSQL did not start again; retrying until it does: {}", e.getMessage());
                    reported = true;
                } else {
                    LOG.debug("Embedded PostgreSQL did not start again: {}", e.getMessage());
                }
            }
            Thread.sleep(pause);
            pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
        }
    }

    /**
     * Stops the postmaster for good.
     *
     * @return false when it was closed before
     */
    boolean close() {
        Process current;
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            current = postmaster;
        }
        watcher.interrupt();
        try {
            watcher.join(TimeUnit.SECONDS.toMillis(70));
            if (current != null && !postgres.stop(current)) {
                LOG.warn("Embedded PostgreSQL on port {} did not stop in time and was killed", postgres.port());
            }
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL on port {} did not stop cleanly", postgres.port(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
