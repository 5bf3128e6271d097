package dev.kiln.core.api;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.kiln.core.github.GithubApi;

/**
 * Failed authentications per client address, as a leaky bucket: each failure adds one, one
 * drains every {@link #DRAIN_SECONDS} seconds; an address whose bucket is full gets
 * {@code 429 rate_limited} for every request until it drains again. Guessing tokens then costs
 * minutes per handful, while a client with a typo recovers in seconds.
 *
 * <p>One limit per node covers every path that takes a token: Kiln's API and the GitHub-compatible
 * paths alike. Webhook deliveries are left out on purpose: their credential is an HMAC under a
 * random 256-bit secret (guessing it is hopeless), and they come from a forge's few shared
 * addresses, so counting a misconfigured hook's wrong signatures would lock out every other
 * project's deliveries from that forge.
 */
public final class AuthFailureLimit implements GithubApi.FailedAuthentications {

    /** Failures an address may make in a row. */
    static final int BURST = 20;
    /** Seconds for one failure to drain. */
    static final long DRAIN_SECONDS = 3;
    // Beyond this many addresses, drained entries are swept on the next failure.
    private static final int SWEEP_ABOVE = 10_000;

    private final Map<String, Level> levels = new ConcurrentHashMap<>();

    /** An empty limit; one per node, shared by every router that authenticates. */
    public AuthFailureLimit() {
    }

    /** The bucket's level at a moment, in failures. */
    private record Level(double failures, long atNanos) {

        Level drained(long now) {
            double drained = (now - atNanos) / (double) TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
            return new Level(Math.max(0, failures - drained), now);
        }
    }

    /**
     * Seconds until the address may try again, or 0 when it may now.
     *
     * @param address the client's address
     * @return whole seconds, at least 1 when limited
     */
    @Override
    public long retryAfterSeconds(String address) {
        Level level = levels.get(address);
        if (level == null) {
            return 0;
        }
        // Limited once the level is above BURST - 1: BURST failures in quick succession.
        double excess = level.drained(System.nanoTime()).failures() - (BURST - 1);
        return excess <= 0 ? 0 : Math.max(1, (long) Math.ceil(excess * DRAIN_SECONDS));
    }

    /**
     * Records a failed authentication.
     *
     * @param address the client's address
     */
    @Override
    public void failed(String address) {
        long now = System.nanoTime();
        levels.compute(address, (key, level) -> {
            Level current = level == null ? new Level(0, now) : level.drained(now);
            return new Level(Math.min(current.failures() + 1, BURST + 1.0), now);
        });
        if (levels.size() > SWEEP_ABOVE) {
            for (Iterator<Level> it = levels.values().iterator(); it.hasNext(); ) {
                if (it.next().drained(now).failures() == 0) {
                    it.remove();
                }
            }
        }
    }
}
