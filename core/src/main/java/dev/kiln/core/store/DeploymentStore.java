package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.kiln.core.KilnException;
import dev.kiln.core.store.StatusStore.NewStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Deployments as the API sees them: trigger, read, cancel, roll back.
 */
public final class DeploymentStore {

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public DeploymentStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * The commit a new deployment builds.
     *
     * @param sha full id
     * @param message first line
     * @param author author name
     */
    public record Commit(String sha, String message, String author) {
    }

    /**
     * Creates a queued deployment with its job, first transition and {@code queued} status, in one
     * transaction.
     *
     * @param project the project
     * @param branch the branch
     * @param commit the resolved commit
     * @param builder the builder that will build it (the project's, or detected), or null to detect when it runs
     * @return the deployment
     */
    public Future<Deployment> create(Project project, String branch, Commit commit, String builder) {
        // One statement (one round trip, one commit): the deployment, its first transition, its job
        // and its "queued" status appear together or not at all.
        return pool.preparedQuery("WITH d AS (INSERT INTO deployments (project_id, commit_sha, commit_message, commit_author, "
                        + "branch, environment, status, storage, builder) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8) RETURNING *), "
                        + "t AS (INSERT INTO deployment_transitions (deployment_id, status, attempt) SELECT id, 'queued', 0 FROM d), "
                        + "j AS (INSERT INTO jobs (deployment_id, builder) SELECT id, $8 FROM d), "
                        + "s AS (INSERT INTO deployment_statuses (deployment_id, state, description, environment, target_url, log_url, "
                        + "environment_url, creator, creator_id) SELECT id, 'queued', 'Queued', environment, '', '', '', $9, NULL FROM d) "
                        + "SELECT * FROM d")
                .execute(Tuple.from(new Object[] {project.id(), commit.sha(), commit.message(), commit.author(), branch,
                        project.environmentFor(branch), project.settings().storage(), builder, StatusStore.Creator.PIPELINE.name()}))
                .map(rows -> Rows.deployment(rows.iterator().next()));
    }

    /**
     * Finds a deployment of a project.
     *
     * @param projectId the project
     * @param deploymentId the deployment
     * @return the deployment, if it exists and belongs to the project
     */
    public Future<Optional<Deployment>> find(long projectId, long deploymentId) {
        return pool.preparedQuery("SELECT " + Rows.DEPLOYMENT_COLUMNS + " FROM deployments WHERE id = $1 AND project_id = $2")
                .execute(Tuple.of(deploymentId, projectId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Rows.deployment(rows.iterator().next())));
    }

    /**
     * Finds a deployment by id alone.
     *
     * @param deploymentId the deployment
     * @return the deployment, if it exists
     */
    public Future<Optional<Deployment>> find(long deploymentId) {
        return pool.preparedQuery("SELECT " + Rows.DEPLOYMENT_COLUMNS + " FROM deployments WHERE id = $1")
                .execute(Tuple.of(deploymentId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Rows.deployment(rows.iterator().next())));
    }

    /**
     * Lists a project's deployments, newest first.
     *
     * @param projectId the project
     * @param page from 1
     * @param perPage page size
     * @return the page
     */
    public Future<Page<Deployment>> list(long projectId, int page, int perPage) {
        return pool.preparedQuery("SELECT " + Rows.DEPLOYMENT_COLUMNS + " FROM deployments WHERE project_id = $1 "
                        + "ORDER BY id DESC LIMIT $2 OFFSET $3")
                .execute(Tuple.of(projectId, perPage, (long) (page - 1) * perPage))
                .compose(rows -> {
                    List<Deployment> items = new ArrayList<>();
                    rows.forEach(row -> items.add(Rows.deployment(row)));
                    return pool.preparedQuery("SELECT count(*) FROM deployments WHERE project_id = $1")
                            .execute(Tuple.of(projectId))
                            .map(count -> new Page<>(items, page, perPage, count.iterator().next().getLong(0)));
                });
    }

    /**
     * The deployment's stored log lines, joined by newlines.
     *
     * @param deploymentId the deployment
     * @return the log text
     */
    public Future<String> logText(long deploymentId) {
        return pool.preparedQuery("SELECT line FROM deployment_logs WHERE deployment_id = $1 ORDER BY line_no")
                .execute(Tuple.of(deploymentId))
                .map(rows -> {
                    StringBuilder text = new StringBuilder();
                    for (Row row : rows) {
                        if (!text.isEmpty()) {
                            text.append('\n');
                        }
                        text.append(row.getString(0));
                    }
                    return text.toString();
                });
    }

    /**
     * Log lines after a line number, for the live stream.
     *
     * @param deploymentId the deployment
     * @param afterLine the last line number the reader has
     * @return line numbers and texts in order
     */
    public Future<List<LogLine>> logLinesAfter(long deploymentId, int afterLine) {
        return pool.preparedQuery("SELECT line_no, line FROM deployment_logs WHERE deployment_id = $1 AND line_no > $2 ORDER BY line_no")
                .execute(Tuple.of(deploymentId, afterLine))
                .map(rows -> {
                    List<LogLine> lines = new ArrayList<>();
                    rows.forEach(row -> lines.add(new LogLine(row.getInteger(0), row.getString(1))));
                    return lines;
                });
    }

    /**
     * One stored log line.
     *
     * @param number from 1
     * @param text the line
     */
    public record LogLine(int number, String text) {
    }

    /**
     * What cancelling found.
     *
     * @param deployment the deployment, now cancelled
     * @param runningOn the node that held its lease, or null when it was waiting
     */
    public record Cancelled(Deployment deployment, String runningOn) {
    }

    /**
     * Cancels an in-progress deployment: marks it cancelled and removes its job, so the node
     * running it is fenced out; the caller then signals that node to kill the process.
     *
     * @param projectId the project
     * @param deploymentId the deployment
     * @return the cancelled deployment; fails with not found, or conflict when already final
     */
    public Future<Cancelled> cancel(long projectId, long deploymentId) {
        return pool.withTransaction(connection -> lockDeployment(connection, projectId, deploymentId)
                .compose(deployment -> {
                    if (!deployment.status().inProgress()) {
                        return Future.failedFuture(KilnException.conflict("deployment " + deploymentId + " is "
                                + deployment.status().wireName() + "; only a queued or running deployment can be cancelled"));
                    }
                    return connection.preparedQuery("DELETE FROM jobs WHERE deployment_id = $1 RETURNING lease_owner, lease_expires_at > now() AS live")
                            .execute(Tuple.of(deploymentId))
                            .compose(jobs -> {
                                String owner = null;
                                if (jobs.size() > 0) {
                                    Row job = jobs.iterator().next();
                                    owner = Boolean.TRUE.equals(job.getBoolean("live")) ? job.getString("lease_owner") : null;
                                }
                                String runningOn = owner;
                                return finish(connection, deploymentId, DeploymentStatus.CANCELLED, "cancelled by request", deployment.attempt())
                                        .compose(cancelled -> StatusStore.insert(connection, deploymentId,
                                                        NewStatus.byKiln("error", "Deployment cancelled", cancelled.environment()))
                                                .map(done -> new Cancelled(cancelled, runningOn)));
                            });
                }));
    }

    /**
     * Moves a deployment to a final state without a lease; for cancel and for giving up.
     *
     * @param connection inside a transaction
     * @param deploymentId the deployment
     * @param status cancelled or failed
     * @param reason stored as the error message for failed, and on the transition
     * @param attempt the attempt it ends in
     * @return the deployment after the change
     */
    static Future<Deployment> finish(SqlConnection connection, long deploymentId, DeploymentStatus status, String reason, int attempt) {
        return connection.preparedQuery("UPDATE deployments SET status = $2, finished_at = now(), "
                        + "error_message = CASE WHEN $2 = 'failed' THEN $3 ELSE error_message END WHERE id = $1 RETURNING "
                        + Rows.DEPLOYMENT_COLUMNS)
                .execute(Tuple.of(deploymentId, status.wireName(), reason))
                .map(rows -> Rows.deployment(rows.iterator().next()))
                .compose(deployment -> connection.preparedQuery("INSERT INTO deployment_transitions (deployment_id, status, attempt, reason) "
                                + "VALUES ($1, $2, $3, $4)")
                        .execute(Tuple.of(deploymentId, status.wireName(), attempt, reason))
                        .map(done -> deployment));
    }

    /**
     * Makes an earlier deployment the project's active one again, without rebuilding.
     *
     * @param projectId the project
     * @param deploymentId the deployment to return to
     * @param environmentUrl the URL its status reports
     * @param logUrl its logs' URL
     * @return the deployment
     */
    public Future<Deployment> rollback(long projectId, long deploymentId, String environmentUrl, String logUrl) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("SELECT active_deployment_id FROM projects WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(projectId))
                .compose(projects -> {
                    if (projects.size() == 0) {
                        return Future.failedFuture(KilnException.notFound("project " + projectId));
                    }
                    Long active = projects.iterator().next().getLong(0);
                    return lockDeployment(connection, projectId, deploymentId).compose(target -> {
                        if (target.status() != DeploymentStatus.DEPLOYED) {
                            return Future.failedFuture(KilnException.invalid("deployment_id", "deployment " + deploymentId
                                    + " is " + target.status().wireName() + "; only a deployed deployment can be rolled back to"));
                        }
                        if (target.pruned()) {
                            return Future.failedFuture(KilnException.invalid("deployment_id", "deployment " + deploymentId
                                    + " was pruned; its files are gone"));
                        }
                        if (active != null && active == deploymentId) {
                            return Future.failedFuture(KilnException.invalid("deployment_id", "deployment " + deploymentId
                                    + " is already the active deployment"));
                        }
                        return connection.preparedQuery("SELECT id FROM deployments WHERE project_id = $1 AND status = ANY($2) LIMIT 1")
                                .execute(Tuple.of(projectId, (Object) DeploymentStatus.IN_PROGRESS.toArray(String[]::new)))
                                .compose(running -> {
                                    if (running.size() > 0) {
                                        return Future.failedFuture(KilnException.conflict("deployment "
                                                + running.iterator().next().getLong(0) + " of this project is in progress; "
                                                + "roll back when it has finished or cancel it"));
                                    }
                                    return connection.preparedQuery("UPDATE projects SET active_deployment_id = $2, updated_at = now() WHERE id = $1")
                                            .execute(Tuple.of(projectId, deploymentId))
                                            .compose(done -> StatusStore.insert(connection, deploymentId,
                                                    NewStatus.byKiln("success", "Rolled back to this deployment", target.environment())
                                                            .withUrls(environmentUrl, logUrl)))
                                            // The one it replaces, even in another environment, is no longer live.
                                            .compose(done -> active == null ? Future.<Void>succeededFuture()
                                                    : StatusStore.markInactive(connection, active, deploymentId))
                                            .map(done -> target);
                                });
                    });
                }));
    }

    /**
     * Marks the deployments of a project whose files can go as pruned: every deployed one except
     * the newest {@code keep} and the active one. Their files are deleted afterwards by the caller;
     * marking first means nothing serves or rolls back to files being deleted. Takes the project's
     * row lock first, as {@link #rollback} does, so the two never cross.
     *
     * @param projectId the project
     * @param keep how many of the newest deployed deployments keep their files
     * @return where the pruned deployments' files are
     */
    public Future<List<StoredArtifactRef>> prune(long projectId, int keep) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("SELECT active_deployment_id FROM projects WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(projectId))
                .compose(locked -> connection.preparedQuery("UPDATE deployments SET pruned = TRUE "
                                + "WHERE project_id = $1 AND status = 'deployed' AND NOT pruned AND artifact_key IS NOT NULL "
                                + "AND id <> COALESCE((SELECT active_deployment_id FROM projects WHERE id = $1), 0) "
                                + "AND id NOT IN (SELECT id FROM deployments WHERE project_id = $1 AND status = 'deployed' "
                                + "AND artifact_key IS NOT NULL ORDER BY id DESC LIMIT $2) "
                                + "RETURNING storage, artifact_key")
                        .execute(Tuple.of(projectId, keep)))
                .map(rows -> {
                    List<StoredArtifactRef> pruned = new ArrayList<>();
                    rows.forEach(row -> pruned.add(new StoredArtifactRef(row.getString(0), row.getString(1))));
                    return pruned;
                }));
    }

    private static Future<Deployment> lockDeployment(SqlConnection connection, long projectId, long deploymentId) {
        return connection.preparedQuery("SELECT " + Rows.DEPLOYMENT_COLUMNS + " FROM deployments WHERE id = $1 AND project_id = $2 FOR UPDATE")
                .execute(Tuple.of(deploymentId, projectId))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(KilnException.notFound("deployment " + deploymentId))
                        : Future.succeededFuture(Rows.deployment(rows.iterator().next())));
    }
}
