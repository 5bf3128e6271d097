package dev.kiln.core.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** The statuses a deployment passed through, read from its transitions, as phases with their spans. */
public final class PhaseStore {

    private final Pool pool;

    /**
     * A store on the pool.
     *
     * @param pool the database
     */
    public PhaseStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * One phase: a status from the moment it was entered until the next one was (null while current or final).
     *
     * @param status the status entered
     * @param attempt which attempt of the deployment
     * @param node the node that moved it there, when one did
     * @param reason why, for a failure or a retry
     * @param startedAt when it was entered
     * @param endedAt when the next status was entered, null for the last one
     */
    public record Phase(String status, int attempt, String node, String reason, OffsetDateTime startedAt, OffsetDateTime endedAt) {
    }

    /**
     * The deployment's phases, oldest first.
     *
     * @param deploymentId the deployment
     * @return the phases; empty for an unknown deployment
     */
    public Future<List<Phase>> phases(long deploymentId) {
        return pool.preparedQuery("SELECT status, attempt, node, reason, at, lead(at) OVER (ORDER BY id) AS ended "
                        + "FROM deployment_transitions WHERE deployment_id = $1 ORDER BY id")
                .execute(Tuple.of(deploymentId))
                .map(rows -> {
                    List<Phase> phases = new ArrayList<>();
                    for (Row row : rows) {
                        phases.add(new Phase(row.getString("status"), row.getInteger("attempt"), row.getString("node"),
                                row.getString("reason"), row.getOffsetDateTime("at"), row.getOffsetDateTime("ended")));
                    }
                    return phases;
                });
    }
}
