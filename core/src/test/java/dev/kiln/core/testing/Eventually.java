package dev.kiln.core.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition to hold, polling until a deadline: tests wait for events, never for a fixed time. */
public final class Eventually {

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
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(probe.call())) {
                    return;
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
            Thread.sleep(50);
        }
    }
}
