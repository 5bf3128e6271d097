package dev.kiln.core.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Progress writes (claims, intermediate states, log batches, heartbeats) that a database crash
 * may lose without harm: the job stays claimable and is redone. They skip waiting for the WAL to
 * reach the disk, which otherwise costs a disk flush per pipeline step. Writes users rely on
 * (trigger, final states, cancel, rollback) stay fully durable.
 */
final class Progress {

    private Progress() {
    }

    static Future<Void> relaxed(SqlConnection connection) {
        return connection.query("SET LOCAL synchronous_commit = off").execute().mapEmpty();
    }
}
