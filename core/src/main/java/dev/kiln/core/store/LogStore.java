package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Appends deployment log lines in batches.
 */
public final class LogStore {

    private final Pool pool;
    private final java.util.function.IntConsumer written;

    /**
     * A store over a pool; Kiln hands it the progress pool ({@link Database#progressPool}), as log
     * lines become durable with the deployment's final state, which is committed after them.
     *
     * @param pool the pool
     * @param written told how many lines each append stored, for the metrics
     */
    public LogStore(Pool pool, java.util.function.IntConsumer written) {
        this.pool = pool;
        this.written = written;
    }

    /**
     * Appends lines; a line number already stored (a re-run of a flush) is kept as it was.
     *
     * @param deploymentId the deployment
     * @param lines numbered lines
     * @return done
     */
    public Future<Void> append(long deploymentId, List<DeploymentStore.LogLine> lines) {
        if (lines.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>(lines.size());
        for (DeploymentStore.LogLine line : lines) {
            batch.add(Tuple.of(deploymentId, line.number(), line.text()));
        }
        // The deployment's final state is committed durably after its last lines, which makes them durable too.
        return pool.preparedQuery("INSERT INTO deployment_logs (deployment_id, line_no, line) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .executeBatch(batch)
                .onSuccess(result -> {
                    // Lines a re-run of a flush finds stored already are not counted twice.
                    int stored = 0;
                    for (var statement = result; statement != null; statement = statement.next()) {
                        stored += statement.rowCount();
                    }
                    written.accept(stored);
                })
                .mapEmpty();
    }

    /**
     * The highest stored line number, so a re-run continues the log after it.
     *
     * @param deploymentId the deployment
     * @return 0 when there are none
     */
    public Future<Integer> lastLine(long deploymentId) {
        return pool.preparedQuery("SELECT COALESCE(max(line_no), 0) FROM deployment_logs WHERE deployment_id = $1")
                .execute(Tuple.of(deploymentId))
                .map(rows -> rows.iterator().next().getInteger(0));
    }
}
