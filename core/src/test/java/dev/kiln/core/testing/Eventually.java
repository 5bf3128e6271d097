package dev.kiln.core.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waits for a condition to hold, polling until a deadline: tests wait for events, never for a fixed time.
 * The one polling helper of the tests; a test that shows that something did not happen waits for a
 * later event (a deployment that finished after it, a log line) and then looks.
 */
public final class Eventually {

    private static final long POLL_MILLIS = 25;

    private Eventually() {
    }

    /**
     * Polls until the probe answers true.
     *
     * @param timeout the deadline
     * @param what what is awaited, for the failure message
     * @param probe the condition; an exception counts as false
     * @throws Exception when interrupted
     * @throws AssertionError at the deadline, with the last exception
     */
    public static void await(Duration timeout, String what, Callable<Boolean> probe) throws Exception {
        value(timeout, what, () -> Boolean.TRUE.equals(probe.call()) ? Boolean.TRUE : null);
    }

    /**
     * Polls until the probe gives a value.
     *
     * @param timeout the deadline
     * @param what what is awaited, for the failure message
     * @param probe gives the value, or null while there is none; an exception counts as null
     * @param <T> the value's type
     * @return the first value
     * @throws Exception when interrupted
     * @throws AssertionError at the deadline, with the last exception
     */
    public static <T> T value(Duration timeout, String what, Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                T value = probe.call();
                if (value != null) {
                    return value;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError error = new AssertionError("waited " + timeout.toSeconds() + " s for " + what);
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
