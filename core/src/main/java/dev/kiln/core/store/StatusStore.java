package dev.kiln.core.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Writes GitHub-compatible deployment statuses. Called inside the transactions that change a
 * deployment, so a status never disagrees with the state it reports.
 */
public final class StatusStore {

    /** The creator recorded on statuses Kiln writes itself. */
    public static final String KILN = "kiln";

    private StatusStore() {
    }

    /**
     * A status to write.
     *
     * @param state GitHub's state name
     * @param description at most 140 characters
     * @param environment the environment, or null to inherit (previous status, else the deployment's)
     * @param targetUrl may be empty
     * @param logUrl may be empty
     * @param environmentUrl may be empty
     * @param creator the token name that wrote it, or {@link #KILN}
     * @param autoInactive whether a {@code success} marks earlier successful deployments of the
     *     same environment inactive
     */
    public record NewStatus(String state, String description, String environment, String targetUrl, String logUrl,
                            String environmentUrl, String creator, boolean autoInactive) {

        /**
         * A status written by Kiln's pipeline.
         *
         * @param state the state
         * @param description what happened
         * @return the status
         */
        public static NewStatus byKiln(String state, String description) {
            return new NewStatus(state, truncate(description), null, "", "", "", KILN, true);
        }

        /**
         * This status with URLs.
         *
         * @param environmentUrl where the deployment is served
         * @param logUrl where its logs are
         * @return a copy
         */
        public NewStatus withUrls(String environmentUrl, String logUrl) {
            return new NewStatus(state, description, environment, logUrl, logUrl, environmentUrl, creator, autoInactive);
        }

        private static String truncate(String text) {
            return text == null ? "" : text.length() <= 140 ? text : text.substring(0, 139) + "…";
        }
    }

    /**
     * Inserts a status, then applies {@code auto_inactive}.
     *
     * @param client a connection inside the caller's transaction
     * @param deploymentId the deployment
     * @param status what to write
     * @return the new status id
     */
    public static Future<Long> insert(SqlClient client, long deploymentId, NewStatus status) {
        return client.preparedQuery("INSERT INTO deployment_statuses (deployment_id, state, description, environment, "
                        + "target_url, log_url, environment_url, creator) "
                        + "SELECT $1, $2, $3, COALESCE($4, (SELECT environment FROM deployment_statuses WHERE deployment_id = $1 "
                        + "ORDER BY id DESC LIMIT 1), d.environment), $5, $6, $7, $8 FROM deployments d WHERE d.id = $1 "
                        + "RETURNING id, environment")
                .execute(Tuple.of(deploymentId, status.state(), status.description() == null ? "" : status.description(),
                        status.environment(), status.targetUrl(), status.logUrl(), status.environmentUrl(), status.creator()))
                .compose(rows -> {
                    var row = rows.iterator().next();
                    long id = row.getLong("id");
                    if (!"success".equals(status.state()) || !status.autoInactive()) {
                        return Future.succeededFuture(id);
                    }
                    return markOthersInactive(client, deploymentId, row.getString("environment")).map(done -> id);
                });
    }

    /**
     * Gives every other deployment of the same project and environment whose latest status is
     * {@code success} a new {@code inactive} status.
     *
     * @param client a connection inside the caller's transaction
     * @param deploymentId the deployment that became the environment's live one
     * @param environment its environment
     * @return done
     */
    public static Future<Void> markOthersInactive(SqlClient client, long deploymentId, String environment) {
        return client.preparedQuery("INSERT INTO deployment_statuses (deployment_id, state, description, environment, "
                        + "target_url, log_url, environment_url, creator) "
                        + "SELECT latest.deployment_id, 'inactive', 'replaced by deployment ' || $1::bigint, latest.environment, "
                        + "latest.target_url, latest.log_url, latest.environment_url, $3 "
                        + "FROM deployments other JOIN LATERAL (SELECT * FROM deployment_statuses s WHERE s.deployment_id = other.id "
                        + "ORDER BY s.id DESC LIMIT 1) latest ON TRUE "
                        + "WHERE other.project_id = (SELECT project_id FROM deployments WHERE id = $1::bigint) AND other.id <> $1::bigint "
                        + "AND latest.state = 'success' AND latest.environment = $2 ORDER BY latest.deployment_id")
                .execute(Tuple.of(deploymentId, environment, KILN))
                .mapEmpty();
    }
}
