// Over 400 lines: the deployments' own statements (create and supersede, cancel, preview removal, finish, prune) and reads; the log reads could move to LogStore once the API handlers take it.
package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

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
     * A new deployment and what it replaced.
     *
     * @param deployment the queued deployment
     * @param superseded older queued deployments of the same branch, cancelled by it
     */
    public record Created(Deployment deployment, List<Long> superseded) {
    }

    /**
     * What a new deployment is.
     *
     * @param branch the branch
     * @param environment {@code production} or {@code preview}
     * @param commit the resolved commit
     * @param builder the builder that will build it (the project's, or detected), or null to detect when it runs
     * @param trigger {@code api}, {@code webhook} or {@code poll}
     * @param unpin whether creating it lets go of a production pinned by a rollback
     * @param logLines the first lines of its log (how its builder was chosen), written with it
     */
    public record NewDeployment(String branch, String environment, Commit commit, String builder, String trigger, boolean unpin,
                                List<String> logLines) {

        /**
         * Copies the lines.
         */
        public NewDeployment {
            logLines = List.copyOf(logLines);
        }

        /**
         * A new deployment whose log starts empty.
         *
         * @param branch the branch
         * @param environment {@code production} or {@code preview}
         * @param commit the resolved commit
         * @param builder the builder, or null
         * @param trigger what started it
         * @param unpin whether it lets go of a pinned production
         */
        public NewDeployment(String branch, String environment, Commit commit, String builder, String trigger, boolean unpin) {
            this(branch, environment, commit, builder, trigger, unpin, List.of());
        }
    }

    /**
     * The statuses creating a deployment writes.
     *
     * @param queuedState the new deployment's state
     * @param queuedDescription and its description
     * @param supersededState the state of an older queued deployment it cancels
     * @param supersededBy that one's description, followed by the new deployment's id
     */
    public record CreationStatuses(String queuedState, String queuedDescription, String supersededState, String supersededBy) {
    }

    /**
     * Creates a queued deployment with its job, first transition and first status, and
     * cancels the older still-queued deployments of its branch, in one statement.
     *
     * @param project the project
     * @param created what to create
     * @param statuses the statuses it writes
     * @return the deployment and the ids it superseded
     */
    public Future<Created> create(Project project, NewDeployment created, CreationStatuses statuses) {
        // One statement (one round trip, one commit): the deployment, its first transition, its job
        // and its "queued" status appear together or not at all, and so do the cancellations it causes.
        return pool.preparedQuery("WITH d AS (INSERT INTO deployments (project_id, commit_sha, commit_message, commit_author, "
                        + "branch, environment, status, storage, builder, trigger) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $10) "
                        + "RETURNING *), "
                        + "t AS (INSERT INTO deployment_transitions (deployment_id, status, attempt) SELECT id, 'queued', 0 FROM d), "
                        + "j AS (INSERT INTO jobs (deployment_id, builder) SELECT id, $8 FROM d), "
                        + "s AS (INSERT INTO deployment_statuses (deployment_id, state, description, environment, target_url, log_url, "
                        + "environment_url, creator, creator_id) SELECT id, $13, $14, environment, '', '', '', $9, NULL FROM d), "
                        + "c AS (UPDATE deployments o SET status = 'cancelled', finished_at = now(), "
                        + "error_message = 'superseded by deployment ' || d.id FROM d "
                        + "WHERE o.project_id = $1 AND o.branch = $5 AND o.status = 'queued' AND o.id < d.id RETURNING o.id, o.attempt, o.environment, d.id AS by), "
                        + "cj AS (DELETE FROM jobs WHERE deployment_id IN (SELECT id FROM c)), "
                        + "ct AS (INSERT INTO deployment_transitions (deployment_id, status, attempt, reason) "
                        + "SELECT id, 'cancelled', attempt, 'superseded by deployment ' || by FROM c), "
                        + "cs AS (INSERT INTO deployment_statuses (deployment_id, state, description, environment, target_url, log_url, "
                        + "environment_url, creator, creator_id) SELECT id, $15, $16::text || by, environment, "
                        + "'', '', '', $9, NULL FROM c), "
                        + "u AS (UPDATE projects SET production_pinned_by = NULL WHERE id = $1 AND $11 AND production_pinned_by IS NOT NULL), "
                        // Written with the deployment, before any runner can claim it and number its own lines.
                        + "l AS (INSERT INTO deployment_logs (deployment_id, line_no, line) "
                        + "SELECT d.id, x.n, x.line FROM d, unnest($12::text[]) WITH ORDINALITY AS x(line, n)) "
                        + "SELECT d.*, (SELECT array_agg(id ORDER BY id) FROM c) AS superseded FROM d")
                .execute(Tuple.from(new Object[] {project.id(), created.commit().sha(), created.commit().message(),
                        created.commit().author(), created.branch(), created.environment(), project.settings().storage(),
                        created.builder(), StatusStore.Creator.PIPELINE.name(), created.trigger(), created.unpin(),
                        created.logLines().toArray(String[]::new), statuses.queuedState(), statuses.queuedDescription(),
                        statuses.supersededState(), statuses.supersededBy()}))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    Long[] superseded = row.getArrayOfLongs("superseded");
                    return new Created(Rows.deployment(row), superseded == null ? List.of() : List.of(superseded));
                });
    }

    /**
     * The newest deployment of a branch.
     *
     * @param projectId the project
     * @param branch the branch
     * @return the deployment, if the branch has any
     */
    public Future<Optional<Deployment>> newestOfBranch(long projectId, String branch) {
        return pool.preparedQuery("SELECT " + Rows.DEPLOYMENT_COLUMNS + " FROM deployments WHERE project_id = $1 AND branch = $2 "
                        + "ORDER BY id DESC LIMIT 1")
                .execute(Tuple.of(projectId, branch))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Rows.deployment(rows.iterator().next())));
    }

    /**
     * The commit each branch's newest deployment built.
     *
     * @param projectId the project
     * @return commit ids by branch
     */
    public Future<java.util.Map<String, String>> newestCommits(long projectId) {
        return pool.preparedQuery("SELECT DISTINCT ON (branch) branch, commit_sha FROM deployments WHERE project_id = $1 "
                        + "ORDER BY branch, id DESC")
                .execute(Tuple.of(projectId))
                .map(rows -> {
                    java.util.Map<String, String> commits = new java.util.HashMap<>();
                    rows.forEach(row -> commits.put(row.getString(0), row.getString(1)));
                    return commits;
                });
    }

    /**
     * The statuses removing a preview writes.
     *
     * @param live the state of a deployment still live
     * @param retired what a live deployment's latest status becomes
     * @param cancelled what a cancelled queued deployment reports
     */
    public record PreviewStatuses(String live, String retired, String cancelled) {
    }

    /**
     * Removes a branch's preview: its deployments no longer have a branch URL, their latest live
     * status is retired, and its queued deployments are cancelled.
     *
     * @param projectId the project
     * @param branch the branch
     * @param reason why, for cancelled deployments and statuses
     * @param statuses the states to write
     * @return the ids of the deployments cancelled
     */
    public Future<List<Long>> removePreview(long projectId, String branch, String reason, PreviewStatuses statuses) {
        return pool.preparedQuery("WITH r AS (UPDATE deployments SET preview_removed = TRUE WHERE project_id = $1 AND branch = $2 "
                        + "AND NOT preview_removed RETURNING id), "
                        + "i AS (INSERT INTO deployment_statuses (deployment_id, state, description, environment, target_url, log_url, "
                        + "environment_url, creator, creator_id) SELECT latest.deployment_id, $6, $3, latest.environment, "
                        + "latest.target_url, latest.log_url, latest.environment_url, $4, NULL FROM r JOIN LATERAL "
                        + "(SELECT * FROM deployment_statuses s WHERE s.deployment_id = r.id ORDER BY s.id DESC LIMIT 1) latest ON TRUE "
                        + "WHERE latest.state = $5), "
                        + "c AS (UPDATE deployments SET status = 'cancelled', finished_at = now(), error_message = $3 "
                        + "WHERE project_id = $1 AND branch = $2 AND status = 'queued' RETURNING id, attempt, environment), "
                        + "cj AS (DELETE FROM jobs WHERE deployment_id IN (SELECT id FROM c)), "
                        + "ct AS (INSERT INTO deployment_transitions (deployment_id, status, attempt, reason) SELECT id, 'cancelled', attempt, $3 FROM c), "
                        + "cs AS (INSERT INTO deployment_statuses (deployment_id, state, description, environment, target_url, log_url, "
                        + "environment_url, creator, creator_id) SELECT id, $7, $3, environment, '', '', '', $4, NULL FROM c) "
                        + "SELECT id FROM c ORDER BY id")
                .execute(Tuple.of(projectId, branch, reason, StatusStore.KILN, statuses.live(), statuses.retired(), statuses.cancelled()))
                .map(rows -> {
                    List<Long> cancelled = new ArrayList<>();
                    rows.forEach(row -> cancelled.add(row.getLong(0)));
                    return cancelled;
                });
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
     * @param rule checked on the locked deployment; it throws to refuse
     * @param report the status it writes, made from the cancelled deployment
     * @return the cancelled deployment; fails with not found, or as the rule refuses
     */
    public Future<Cancelled> cancel(long projectId, long deploymentId, Consumer<Deployment> rule,
                                    Function<Deployment, NewStatus> report) {
        return pool.withTransaction(connection -> lockDeployment(connection, projectId, deploymentId)
                .compose(deployment -> {
                    try {
                        rule.accept(deployment);
                    } catch (RuntimeException refused) {
                        return Future.failedFuture(refused);
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
                                        .compose(cancelled -> StatusStore.insert(connection, deploymentId, report.apply(cancelled))
                                                .map(done -> new Cancelled(cancelled, runningOn)));
                            });
                }));
    }

    /**
     * The builder of the project's newest deployment that went live, other than one deployment.
     *
     * @param projectId the project
     * @param exceptDeploymentId the deployment asking
     * @return its builder id, when the project ever deployed
     */
    public Future<Optional<String>> lastBuilder(long projectId, long exceptDeploymentId) {
        return pool.preparedQuery("SELECT builder FROM deployments WHERE project_id = $1 AND id <> $2 AND deployed_at IS NOT NULL "
                        + "AND builder IS NOT NULL ORDER BY deployed_at DESC, id DESC LIMIT 1")
                .execute(Tuple.of(projectId, exceptDeploymentId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString("builder")));
    }

    /**
     * Records problems that do not stop a deployment, for its {@code warnings}.
     *
     * @param deploymentId the deployment
     * @param warnings sentences to add
     * @return done when stored
     */
    public Future<Void> addWarnings(long deploymentId, List<String> warnings) {
        if (warnings.isEmpty()) {
            return Future.succeededFuture();
        }
        return pool.preparedQuery("UPDATE deployments SET warnings = warnings || $2::text[] WHERE id = $1")
                .execute(Tuple.tuple().addLong(deploymentId).addArrayOfString(warnings.toArray(String[]::new)))
                .mapEmpty();
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

    static Future<Deployment> lockDeployment(SqlConnection connection, long projectId, long deploymentId) {
        return connection.preparedQuery("SELECT " + Rows.DEPLOYMENT_COLUMNS + " FROM deployments WHERE id = $1 AND project_id = $2 FOR UPDATE")
                .execute(Tuple.of(deploymentId, projectId))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(KilnException.notFound("deployment " + deploymentId))
                        : Future.succeededFuture(Rows.deployment(rows.iterator().next())));
    }
}
