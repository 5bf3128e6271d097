package dev.kiln.core.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/**
 * The queue as the metrics see it: how many deployments wait and how long the oldest has.
 *
 * @param depth deployments in {@code queued}
 * @param oldestWaitingSeconds how long the oldest of them has waited, 0 when none does
 */
public record QueueStats(long depth, long oldestWaitingSeconds) {

    /**
     * Reads the queue.
     *
     * @param pool the pool
     * @return the figures
     */
    public static Future<QueueStats> read(Pool pool) {
        return pool.query("SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::bigint "
                        + "FROM deployments WHERE status = 'queued'")
                .execute()
                .map(rows -> {
                    var row = rows.iterator().next();
                    return new QueueStats(row.getLong(0), row.getLong(1));
                });
    }
}
