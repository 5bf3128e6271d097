package dev.kiln.core.store;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;

/**
 * Whether the database answers, checked every second, embedded or external alike. The API answers {@code 503} while
 * it does not, and the node logs each change once instead of every failed query.
 */
public final class DatabaseHealth {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);
    private static final long CHECK_MILLIS = 1_000;
    private static final long ANSWER_MILLIS = 3_000;

    private final Vertx vertx;
    private final Pool pool;
    private long timer = -1;
    private volatile String problem;
    private boolean checking;

    /**
     * Health of the database behind a pool.
     *
     * @param vertx the Vert.x instance
     * @param pool the pool
     */
    public DatabaseHealth(Vertx vertx, Pool pool) {
        this.vertx = vertx;
        this.pool = pool;
    }

    /** Starts checking every second. */
    public void start() {
        timer = vertx.setPeriodic(CHECK_MILLIS, id -> {
            if (!checking) {
                checking = true;
                check().onComplete(done -> checking = false);
            }
        });
    }

    /** Stops checking. */
    public void stop() {
        vertx.cancelTimer(timer);
    }

    /**
     * Whether the database answered the last check.
     *
     * @return true when it did
     */
    public boolean available() {
        return problem == null;
    }

    /**
     * Why the database is unavailable.
     *
     * @return the reason, or null while it is available
     */
    public String problem() {
        return problem;
    }

    /**
     * Asks the database now, and records the answer.
     *
     * @return succeeds with null when it answered, else with why not
     */
    public Future<String> check() {
        return pool.query("SELECT 1").execute()
                .timeout(ANSWER_MILLIS, TimeUnit.MILLISECONDS)
                .map(rows -> (String) null)
                .otherwise(DatabaseHealth::describe)
                .onSuccess(this::record);
    }

    private void record(String now) {
        String before = problem;
        problem = now;
        if (before == null && now != null) {
            LOG.warn("The database is unavailable ({}); answering 503 until it is back", now);
        } else if (before != null && now == null) {
            LOG.info("The database is available again");
        }
    }

    /**
     * Whether an error means the database could not be reached or went away, rather than a query being wrong.
     *
     * @param error an error from a query
     * @return true for a connection refused, closed or timed out, or a server shutting down or starting up
     */
    public static boolean isOutage(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                    || cause instanceof UnknownHostException || cause instanceof ClosedConnectionException
                    || cause instanceof ClosedChannelException || cause instanceof TimeoutException) {
                return true;
            }
            if (cause instanceof DatabaseException database && database.getSqlState() != null) {
                String state = database.getSqlState();
                // 08: connection exceptions; 57P01-03: shut down, crashed, starting up; 53300: too many connections
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")) {
                    return true;
                }
            }
            String message = cause.getMessage();
            if (message != null && (message.contains("Connection refused") || message.contains("Connection reset")
                    || message.equals("Connection closed") || message.contains("Failed to connect"))) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable error) {
        if (error instanceof TimeoutException) {
            return "no answer in " + ANSWER_MILLIS / 1000 + " s";
        }
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message.strip();
    }
}
