package dev.kiln.core.pipeline;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import dev.kiln.plugin.api.BuildCancelledException;

/**
 * Calls into a builder's Java code on a thread of its own, so that a builder that hangs (a loop,
 * a lock, a socket without a timeout) fails its deployment instead of holding a pipeline thread
 * forever. On time-out or cancel the thread is interrupted; one that ignores interrupts is left
 * to itself, as a daemon thread.
 */
final class BuilderCalls {

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "kiln-builder-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private static final long POLL_MILLIS = 200;

    private BuilderCalls() {
    }

    /** The builder's code did not return in time. */
    static final class TimedOut extends Exception {
        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Runs a call and waits for it.
     *
     * @param call the builder's code
     * @param timeout how long it may take
     * @param cancelled whether the deployment was cancelled meanwhile
     * @param what names the call, as in {@code builder 'npm'}
     * @return its result
     * @throws Exception what the call threw, {@link TimedOut}, or {@link BuildCancelledException}
     */
    static <T> T call(Callable<T> call, Duration timeout, BooleanSupplier cancelled, String what) throws Exception {
        Future<T> future = CALLS.submit(call);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    future.cancel(true);
                    throw new TimedOut(what + " did not return within " + timeout.toSeconds() + " s");
                }
                if (cancelled.getAsBoolean()) {
                    future.cancel(true);
                    throw new BuildCancelledException("cancelled");
                }
                try {
                    return future.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // poll again
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }
}
