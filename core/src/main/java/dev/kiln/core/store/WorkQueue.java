package dev.kiln.core.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import dev.kiln.core.store.StatusStore.NewStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The durable work queue the pipeline claims from. Every write a worker makes is fenced by its
 * lease token: once a job is cancelled, finished, or re-claimed by another node after the lease
 * ran out, the old worker's writes change nothing.
 */
public final class WorkQueue {

    /** A deployment is failed after this many attempts that never finished. */
    public static final int MAX_ATTEMPTS = 3;

    private final Pool pool;
    private final Pool progress;
    private final int leaseSeconds;

    /**
     * A queue over a pool.
     *
     * @param pool the pool
     * @param leaseSeconds how long a claim holds without renewal
     */
    public WorkQueue(Pool pool, int leaseSeconds) {
        this(pool, pool, leaseSeconds);
    }

    /**
     * A queue whose progress writes (claims, intermediate states, renewals) go through a pool that
     * skips the WAL flush ({@link Database#progressPool}); final states stay durable.
     *
     * @param pool the durable pool
     * @param progress the pool for progress writes
     * @param leaseSeconds how long a claim holds without renewal
     */
    public WorkQueue(Pool pool, Pool progress, int leaseSeconds) {
        this.pool = pool;
        this.progress = progress;
        this.leaseSeconds = leaseSeconds;
    }

    /**
     * A claimed job.
     *
     * @param deploymentId the deployment to run
     * @param leaseToken the fence for this attempt's writes
     * @param attempt 1 for the first run, more for re-runs
     * @param previousOwner the node that held it before, or null
     * @param releasedReason why the previous holder let go, or null
     */
    public record Claim(long deploymentId, long leaseToken, int attempt, String previousOwner, String releasedReason) {
    }

    /**
     * Claims the oldest job this node can run that is free or whose lease ran out.
     *
     * @param node this node's id
     * @param builders the builders this node can run
     * @return the claim, or empty when there is no work
     */
    public Future<Optional<Claim>> claim(String node, List<String> builders) {
        // A claim lost in a database crash only leaves the job claimable: no need to wait for the disk.
        return progress.preparedQuery("WITH next AS (SELECT deployment_id, lease_owner, released_reason FROM jobs "
                        + "WHERE (lease_expires_at IS NULL OR lease_expires_at < now()) AND (builder IS NULL OR builder = ANY($3)) "
                        + "ORDER BY deployment_id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                        + "UPDATE jobs SET lease_owner = $1, lease_token = nextval('lease_tokens'), "
                        + "lease_expires_at = now() + make_interval(secs => $2), attempts = attempts + 1, wait_reason = NULL, "
                        + "released_reason = NULL FROM next WHERE jobs.deployment_id = next.deployment_id "
                        + "RETURNING jobs.deployment_id, jobs.lease_token, jobs.attempts, next.lease_owner AS previous_owner, "
                        + "next.released_reason")
                .execute(Tuple.of(node, leaseSeconds, builders.toArray(String[]::new)))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new Claim(row.getLong("deployment_id"), row.getLong("lease_token"),
                            row.getInteger("attempts"), row.getString("previous_owner"), row.getString("released_reason")));
                });
    }

    /**
     * Extends the leases this node holds.
     *
     * @param node this node
     * @param leaseTokens the tokens of its running claims
     * @return the tokens still held; a missing one was cancelled or taken over
     */
    public Future<List<Long>> renew(String node, List<Long> leaseTokens) {
        if (leaseTokens.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return progress.preparedQuery("UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3) "
                        + "WHERE lease_owner = $1 AND lease_token = ANY($2) RETURNING lease_token")
                .execute(Tuple.of(node, leaseTokens.toArray(Long[]::new), leaseSeconds))
                .map(rows -> {
                    java.util.ArrayList<Long> held = new java.util.ArrayList<>();
                    rows.forEach(row -> held.add(row.getLong(0)));
                    return held;
                });
    }

    /**
     * Frees the leases a node held; used when a node restarts (it runs nothing yet) or leaves.
     * The lease token stays, so the old holder stays fenced out until someone claims again.
     *
     * @param node the node
     * @param reason why, shown in the next attempt's log
     * @return how many jobs became claimable
     */
    public Future<Integer> releaseAll(String node, String reason) {
        return pool.preparedQuery("UPDATE jobs SET lease_expires_at = NULL, released_reason = $2 "
                        + "WHERE lease_owner = $1 AND lease_expires_at IS NOT NULL")
                .execute(Tuple.of(node, reason))
                .map(rows -> rows.rowCount());
    }

    /**
     * A job no node takes.
     *
     * @param deploymentId the deployment
     * @param builder the builder it needs
     * @param waitReason the reason already recorded, or null
     */
    public record Waiting(long deploymentId, String builder, String waitReason) {
    }

    /**
     * Jobs waiting for a builder that no live node can run.
     *
     * @param liveBuilders the builders live nodes can run
     * @return the jobs
     */
    public Future<List<Waiting>> unrunnable(List<String> liveBuilders) {
        return pool.preparedQuery("SELECT deployment_id, builder, wait_reason FROM jobs WHERE lease_expires_at IS NULL "
                        + "AND builder IS NOT NULL AND NOT (builder = ANY($1))")
                .execute(Tuple.of((Object) liveBuilders.toArray(String[]::new)))
                .map(rows -> {
                    java.util.ArrayList<Waiting> waiting = new java.util.ArrayList<>();
                    rows.forEach(row -> waiting.add(new Waiting(row.getLong(0), row.getString(1), row.getString(2))));
                    return waiting;
                });
    }

    /**
     * Moves a claimed deployment to an in-progress state, if the claim still holds.
     *
     * @param claim the claim
     * @param status the new state
     * @param node this node
     * @param builder the builder, or null to keep the stored one
     * @param report the status this move writes, made from the moved deployment, or null for none
     * @return the deployment, or empty when the claim was fenced out
     */
    public Future<Optional<Deployment>> advance(Claim claim, DeploymentStatus status, String node, String builder,
                                                Function<Deployment, NewStatus> report) {
        // Intermediate states lost in a database crash are redone by the re-run; only final states
        // must be durable. The state and its transition are one statement: one round trip.
        return progress.preparedQuery("WITH d AS (UPDATE deployments d SET status = $3, node = $4, attempt = $5, "
                        + "builder = COALESCE($6, d.builder), wait_reason = NULL, "
                        + "started_at = CASE WHEN $3 = 'cloning' THEN now() ELSE d.started_at END "
                        // The status check is re-evaluated on the newest row version: a cancel (or a newer
                        // deployment superseding this one) that committed while this waited wins.
                        + "FROM jobs j WHERE d.id = $1 AND j.deployment_id = d.id AND j.lease_token = $2 "
                        + "AND d.status IN ('queued', 'cloning', 'building', 'uploading', 'deploying') RETURNING d.*), "
                        + "t AS (INSERT INTO deployment_transitions (deployment_id, status, attempt, node) SELECT id, $3, $5, $4 FROM d) "
                        + "SELECT * FROM d")
                .execute(Tuple.of(claim.deploymentId(), claim.leaseToken(), status.wireName(), node, claim.attempt(), builder))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(Optional.<Deployment>empty());
                    }
                    Deployment deployment = Rows.deployment(rows.iterator().next());
                    if (report == null) {
                        return Future.succeededFuture(Optional.of(deployment));
                    }
                    return StatusStore.insert(progress, claim.deploymentId(), report.apply(deployment))
                            .map(done -> Optional.of(deployment));
                });
    }

    /**
     * Marks a claimed deployment deployed and, when it may replace production, production is not
     * pinned and no newer deployment is active already, makes it the project's active one; all in one
     * transaction so a request never sees half of it.
     *
     * @param claim the claim
     * @param production whether it may replace production at all (a preview never does)
     * @param node this node
     * @param artifactKey where its files are
     * @param success its status, made from the deployed deployment; it marks the deployments it
     *     replaces inactive only when it went live
     * @return the deployment, or empty when fenced out
     */
    public Future<Optional<Deployment>> deployed(Claim claim, boolean production, String node, String artifactKey,
                                                 Function<Deployment, NewStatus> success) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("SELECT p.id FROM projects p JOIN deployments d ON d.project_id = p.id WHERE d.id = $1 FOR UPDATE OF p")
                .execute(Tuple.of(claim.deploymentId()))
                .compose(locked -> connection.preparedQuery("UPDATE deployments d SET status = 'deployed', artifact_key = $3, node = $4, "
                                + "deployed_at = now(), finished_at = now(), "
                                + "build_time_ms = (extract(epoch FROM now() - d.started_at) * 1000)::bigint "
                                + "FROM jobs j WHERE d.id = $1 AND j.deployment_id = d.id AND j.lease_token = $2 "
                                + "AND d.status IN ('queued', 'cloning', 'building', 'uploading', 'deploying') RETURNING " + prefixed("d."))
                        .execute(Tuple.of(claim.deploymentId(), claim.leaseToken(), artifactKey, node)))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(Optional.<Deployment>empty());
                    }
                    Deployment deployment = Rows.deployment(rows.iterator().next());
                    // A deployment triggered later that is already live stays live.
                    return connection.preparedQuery("UPDATE projects p SET active_deployment_id = $2, updated_at = now() "
                                    + "FROM (SELECT active_deployment_id FROM projects WHERE id = $1) previous "
                                    + "WHERE p.id = $1 AND $3 AND p.production_pinned_by IS NULL "
                                    + "AND (p.active_deployment_id IS NULL OR p.active_deployment_id < $2) "
                                    + "RETURNING previous.active_deployment_id")
                            .execute(Tuple.of(deployment.projectId(), deployment.id(), production))
                            .compose(promoted -> transition(connection, claim, DeploymentStatus.DEPLOYED, node, null)
                                    .compose(done -> connection.preparedQuery("DELETE FROM jobs WHERE deployment_id = $1").execute(Tuple.of(deployment.id())))
                                    .compose(done -> production
                                            ? deployedStatuses(connection, deployment, promoted, success.apply(deployment))
                                            // A preview is live at its own URLs and replaces nothing.
                                            : StatusStore.insert(connection, deployment.id(),
                                                    success.apply(deployment).retiring(null)).mapEmpty())
                                    .map(done -> Optional.of(deployment)));
                }));
    }

    /**
     * A deployed deployment writes its status. When it went live, the deployments of its
     * environment before it and the one it replaced become inactive; when a newer one was live
     * already, it is inactive at once and replaces nothing.
     */
    private static Future<Void> deployedStatuses(SqlConnection connection, Deployment deployment, RowSet<Row> promoted,
                                                 NewStatus success) {
        if (promoted.size() == 0) {
            return StatusStore.insert(connection, deployment.id(), success.retiring(null))
                    .compose(done -> connection.preparedQuery("SELECT active_deployment_id FROM projects WHERE id = $1")
                            .execute(Tuple.of(deployment.projectId())))
                    .compose(active -> {
                        Long live = active.iterator().next().getLong(0);
                        return live == null ? Future.<Void>succeededFuture() : StatusStore.markInactive(connection, deployment.id(), live, success.retires());
                    });
        }
        Long previous = promoted.iterator().next().getLong(0);
        return StatusStore.insert(connection, deployment.id(), success)
                .compose(done -> previous == null ? Future.<Void>succeededFuture()
                        : StatusStore.markInactive(connection, previous, deployment.id(), success.retires()));
    }

    /**
     * Marks a claimed deployment failed.
     *
     * @param claim the claim
     * @param node this node
     * @param message why, for the user
     * @param report its status, made from the failed deployment
     * @return the deployment, or empty when fenced out
     */
    public Future<Optional<Deployment>> failed(Claim claim, String node, String message, Function<Deployment, NewStatus> report) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("DELETE FROM jobs WHERE deployment_id = $1 AND lease_token = $2 RETURNING deployment_id")
                .execute(Tuple.of(claim.deploymentId(), claim.leaseToken()))
                .compose(deleted -> {
                    if (deleted.size() == 0) {
                        return Future.succeededFuture(Optional.<Deployment>empty());
                    }
                    return DeploymentStore.finish(connection, claim.deploymentId(), DeploymentStatus.FAILED, message, claim.attempt())
                            .compose(deployment -> StatusStore.insert(connection, claim.deploymentId(), report.apply(deployment))
                                    .map(done -> Optional.of(deployment)));
                }));
    }

    /**
     * Records why a job waits (for example, no node has its builder), visible in the API.
     *
     * @param deploymentId the deployment
     * @param reason the reason, or null to clear it
     * @return true when the reason changed
     */
    public Future<Boolean> setWaitReason(long deploymentId, String reason) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("UPDATE jobs SET wait_reason = $2 WHERE deployment_id = $1 AND wait_reason IS DISTINCT FROM $2 "
                        + "AND lease_expires_at IS NULL RETURNING deployment_id")
                .execute(Tuple.of(deploymentId, reason))
                .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false)
                        : connection.preparedQuery("UPDATE deployments SET wait_reason = $2 WHERE id = $1 AND status = 'queued'")
                                .execute(Tuple.of(deploymentId, reason)).map(done -> true)));
    }

    private static Future<Void> transition(SqlConnection connection, Claim claim, DeploymentStatus status, String node, String reason) {
        return connection.preparedQuery("INSERT INTO deployment_transitions (deployment_id, status, attempt, node, reason) VALUES ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(claim.deploymentId(), status.wireName(), claim.attempt(), node, reason))
                .mapEmpty();
    }

    private static String prefixed(String prefix) {
        return prefix + Rows.DEPLOYMENT_COLUMNS.replace(", ", ", " + prefix);
    }
}
