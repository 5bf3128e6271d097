package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * When each polled project is due, and which node polls it: a node polls a project only while it
 * holds the project's lease, so in a cluster each project is polled by exactly one node at a time.
 */
public final class ProjectPolls {

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public ProjectPolls(Pool pool) {
        this.pool = pool;
    }

    /**
     * A project this node holds the poll lease of.
     *
     * @param projectId the project
     * @param heads the branch tips seen at the last successful poll, or null before the first
     * @param failures polls failed in a row
     */
    public record Lease(long projectId, Map<String, String> heads, int failures) {
    }

    /**
     * Takes the leases of up to {@code limit} projects whose poll is due and that no node holds.
     *
     * @param node this node
     * @param leaseSeconds how long the lease holds; longer than a poll can take
     * @param limit how many at most
     * @return the leases taken
     */
    public Future<List<Lease>> claimDue(String node, int leaseSeconds, int limit) {
        // Projects that turned polling on get their row here; those that turned it off are skipped.
        return pool.query("INSERT INTO project_polls (project_id) SELECT id FROM projects p WHERE poll_interval_seconds IS NOT NULL "
                        + "AND NOT EXISTS (SELECT 1 FROM project_polls WHERE project_id = p.id) ON CONFLICT DO NOTHING").execute()
                .compose(inserted -> pool.preparedQuery("WITH due AS (SELECT pp.project_id FROM project_polls pp "
                                + "JOIN projects p ON p.id = pp.project_id WHERE p.poll_interval_seconds IS NOT NULL "
                                + "AND pp.next_poll_at <= now() AND (pp.lease_expires_at IS NULL OR pp.lease_expires_at < now()) "
                                + "ORDER BY pp.next_poll_at LIMIT $3 FOR UPDATE OF pp SKIP LOCKED) "
                                + "UPDATE project_polls pp SET lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2) "
                                + "FROM due WHERE pp.project_id = due.project_id RETURNING pp.project_id, pp.heads, pp.failures")
                        .execute(Tuple.of(node, leaseSeconds, limit)))
                .map(rows -> {
                    List<Lease> leases = new ArrayList<>();
                    for (Row row : rows) {
                        Object heads = row.getValue("heads");
                        leases.add(new Lease(row.getLong(0), heads instanceof JsonObject json ? Rows.stringMap(json) : null,
                                row.getInteger("failures")));
                    }
                    return leases;
                });
    }

    /**
     * Records a successful poll and lets go of the lease.
     *
     * @param projectId the project
     * @param node this node
     * @param heads the branch tips seen
     * @param nextInSeconds when the next poll is due
     * @return done
     */
    public Future<Void> polled(long projectId, String node, Map<String, String> heads, int nextInSeconds) {
        return pool.preparedQuery("UPDATE project_polls SET lease_owner = NULL, lease_expires_at = NULL, failures = 0, last_error = NULL, "
                        + "next_poll_at = now() + make_interval(secs => $3), last_polled_at = now(), last_polled_by = $2, "
                        + "polls = polls + 1, heads = $4 WHERE project_id = $1 AND lease_owner = $2")
                .execute(Tuple.of(projectId, node, nextInSeconds, Rows.json(heads)))
                .mapEmpty();
    }

    /**
     * Records a failed poll, due again after a back-off, and lets go of the lease.
     *
     * @param projectId the project
     * @param node this node
     * @param error what went wrong
     * @param retryInSeconds when to try again
     * @return done
     */
    public Future<Void> failed(long projectId, String node, String error, int retryInSeconds) {
        return pool.preparedQuery("UPDATE project_polls SET lease_owner = NULL, lease_expires_at = NULL, failures = failures + 1, "
                        + "last_error = $3, next_poll_at = now() + make_interval(secs => $4), last_polled_at = now(), "
                        + "last_polled_by = $2, polls = polls + 1 WHERE project_id = $1 AND lease_owner = $2")
                .execute(Tuple.of(projectId, node, error, retryInSeconds))
                .mapEmpty();
    }
}
