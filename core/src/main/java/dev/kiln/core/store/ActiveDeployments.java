package dev.kiln.core.store;

import java.util.function.Function;

import dev.kiln.core.KilnException;
import dev.kiln.core.store.StatusStore.NewStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Which deployment a project's production URL serves, changed by hand (rollback, promote) under
 * the project's row lock, after a rule from the pipeline has seen what would change.
 */
public final class ActiveDeployments {

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public ActiveDeployments(Pool pool) {
        this.pool = pool;
    }

    /**
     * What a change of the active deployment is checked against, read under the project's lock.
     *
     * @param target the deployment to make active
     * @param activeId the deployment active now, or null
     * @param inProgressId a deployment of the project in progress, or null
     */
    public record ActiveChange(Deployment target, Long activeId, Long inProgressId) {
    }

    /** A rule a change of the active deployment must pass; it throws to refuse. */
    @FunctionalInterface
    public interface ActiveChangeRule {

        /**
         * Refuses a change by throwing.
         *
         * @param change what would change
         */
        void check(ActiveChange change);
    }

    /**
     * How the active deployment changes.
     *
     * @param status the status it writes, made from the deployment made active
     * @param pin true to pin production to it (a rollback), false to let go of any pin (a promote)
     */
    public record Activation(Function<Deployment, NewStatus> status, boolean pin) {
    }

    /**
     * Makes a deployment the project's active one, without rebuilding, if the rule allows it.
     *
     * @param projectId the project
     * @param deploymentId the deployment to make active
     * @param rule checked under the project's lock
     * @param activation how
     * @return the deployment
     */
    public Future<Deployment> activate(long projectId, long deploymentId, ActiveChangeRule rule, Activation activation) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("SELECT active_deployment_id FROM projects WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(projectId))
                .compose(projects -> {
                    if (projects.size() == 0) {
                        return Future.failedFuture(KilnException.notFound("project " + projectId));
                    }
                    Long active = projects.iterator().next().getLong(0);
                    return DeploymentStore.lockDeployment(connection, projectId, deploymentId).compose(target -> connection
                            .preparedQuery("SELECT id FROM deployments WHERE project_id = $1 AND status = ANY($2) ORDER BY id LIMIT 1")
                            .execute(Tuple.of(projectId, (Object) DeploymentStatus.IN_PROGRESS.toArray(String[]::new)))
                            .compose(running -> {
                                try {
                                    rule.check(new ActiveChange(target, active,
                                            running.size() == 0 ? null : running.iterator().next().getLong(0)));
                                } catch (RuntimeException refused) {
                                    return Future.failedFuture(refused);
                                }
                                NewStatus status = activation.status().apply(target);
                                return connection.preparedQuery("UPDATE projects SET active_deployment_id = $2::bigint, "
                                                + "production_pinned_by = CASE WHEN $3::boolean THEN $2::bigint ELSE NULL END, "
                                                + "updated_at = now() WHERE id = $1")
                                        .execute(Tuple.of(projectId, deploymentId, activation.pin()))
                                        .compose(done -> StatusStore.insert(connection, deploymentId, status))
                                        // The one it replaces, even in another environment, is no longer live.
                                        .compose(done -> active == null || active == deploymentId ? Future.<Void>succeededFuture()
                                                : StatusStore.markInactive(connection, active, deploymentId, status.retires()))
                                        .map(done -> target);
                            }));
                }));
    }
}
