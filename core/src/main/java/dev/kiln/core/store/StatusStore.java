package dev.kiln.core.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.kiln.core.KilnException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * GitHub-compatible deployment statuses. The pipeline writes them through the static methods,
 * inside the transactions that change a deployment, so a status never disagrees with the state
 * it reports; API clients read and add them through an instance.
 */
public final class StatusStore {

    /** The creator name recorded on statuses Kiln writes itself. */
    public static final String KILN = "kiln";

    /** GitHub's limit on a description, in characters. */
    public static final int MAX_DESCRIPTION = 140;

    private static final String COLUMNS = "id, deployment_id, state, description, environment, target_url, log_url, "
            + "environment_url, creator, creator_id, created_at, updated_at";

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public StatusStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Who wrote a status.
     *
     * @param name the token's name, or {@link #KILN}
     * @param tokenId the token's id, or null for Kiln itself
     */
    public record Creator(String name, Long tokenId) {

        /** Kiln's pipeline. */
        public static final Creator PIPELINE = new Creator(KILN, null);

        /**
         * Checks the name.
         */
        public Creator {
            Objects.requireNonNull(name, "name");
        }

        /**
         * Whether Kiln itself wrote it.
         *
         * @return true for the pipeline
         */
        public boolean isKiln() {
            return tokenId == null;
        }
    }

    /**
     * GitHub's {@code auto_inactive}, as {@code github/} states it: which statuses a new one retires.
     *
     * @param liveState the state of a deployment still live, for example {@code success}
     * @param retiredState the state it then gets, for example {@code inactive}
     * @param description the retired status's description, followed by the id of the deployment that replaced it
     */
    public record Retirement(String liveState, String retiredState, String description) {

        /**
         * Checks the parts.
         */
        public Retirement {
            Objects.requireNonNull(liveState, "liveState");
            Objects.requireNonNull(retiredState, "retiredState");
            Objects.requireNonNull(description, "description");
        }
    }

    /**
     * A status to write.
     *
     * @param state a GitHub state, as {@code github/} names it
     * @param description at most {@link #MAX_DESCRIPTION} characters
     * @param environment the environment, or null to inherit (previous status, else the deployment's)
     * @param targetUrl may be empty
     * @param logUrl may be empty
     * @param environmentUrl may be empty
     * @param creator who writes it
     * @param retires what it does to the earlier live deployments of the same project and
     *     environment, or null for nothing
     */
    public record NewStatus(String state, String description, String environment, String targetUrl, String logUrl,
                            String environmentUrl, Creator creator, Retirement retires) {

        /**
         * Checks the description, and turns missing URLs into GitHub's empty default; which states
         * exist is {@code github/}'s to say.
         */
        public NewStatus {
            Objects.requireNonNull(state, "state");
            description = description == null ? "" : description;
            if (description.codePointCount(0, description.length()) > MAX_DESCRIPTION) {
                throw new IllegalArgumentException("description longer than " + MAX_DESCRIPTION + " characters");
            }
            targetUrl = targetUrl == null ? "" : targetUrl;
            logUrl = logUrl == null ? "" : logUrl;
            environmentUrl = environmentUrl == null ? "" : environmentUrl;
            Objects.requireNonNull(creator, "creator");
        }

        /**
         * A status written by Kiln's pipeline, in the deployment's own environment: a client that
         * posted a status with another environment does not move where Kiln reports.
         *
         * @param state the state
         * @param description what happened; cut to fit
         * @param environment the deployment's environment
         * @return the status
         */
        public static NewStatus byKiln(String state, String description, String environment) {
            return new NewStatus(state, truncate(description), Objects.requireNonNull(environment, "environment"),
                    "", "", "", Creator.PIPELINE, null);
        }

        /**
         * This status with URLs; {@code target_url} is the log URL, as GitHub sets it.
         *
         * @param environmentUrl where the deployment is served
         * @param logUrl where its logs are
         * @return a copy
         */
        public NewStatus withUrls(String environmentUrl, String logUrl) {
            return new NewStatus(state, description, environment, logUrl, logUrl, environmentUrl, creator, retires);
        }

        /**
         * This status retiring, or not, the earlier live deployments.
         *
         * @param retirement what it does to them, or null for nothing
         * @return a copy
         */
        public NewStatus retiring(Retirement retirement) {
            return new NewStatus(state, description, environment, targetUrl, logUrl, environmentUrl, creator, retirement);
        }

        private static String truncate(String text) {
            if (text == null) {
                return "";
            }
            if (text.codePointCount(0, text.length()) <= MAX_DESCRIPTION) {
                return text;
            }
            return text.substring(0, text.offsetByCodePoints(0, MAX_DESCRIPTION - 1)) + "…";
        }
    }

    /**
     * A status as stored.
     *
     * @param id the id, unique across deployments
     * @param deploymentId its deployment
     * @param state a GitHub state
     * @param description may be empty
     * @param environment the environment it reports on
     * @param targetUrl may be empty
     * @param logUrl may be empty
     * @param environmentUrl may be empty
     * @param creator who wrote it
     * @param createdAt when written
     * @param updatedAt the same: statuses do not change
     */
    public record Status(long id, long deploymentId, String state, String description, String environment, String targetUrl,
                         String logUrl, String environmentUrl, Creator creator, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    /**
     * A deployment's statuses, newest first.
     *
     * @param deploymentId the deployment
     * @param page from 1
     * @param perPage page size
     * @return the page
     */
    public Future<Page<Status>> list(long deploymentId, int page, int perPage) {
        return pool.preparedQuery("SELECT " + COLUMNS + ", count(*) OVER () AS total FROM deployment_statuses "
                        + "WHERE deployment_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3")
                .execute(Tuple.of(deploymentId, perPage, (long) (page - 1) * perPage))
                .compose(rows -> {
                    List<Status> items = new ArrayList<>();
                    rows.forEach(row -> items.add(status(row)));
                    if (!items.isEmpty()) {
                        return Future.succeededFuture(new Page<>(items, page, perPage, rows.iterator().next().getLong("total")));
                    }
                    // Past the last page the window has no row to carry the total.
                    return pool.preparedQuery("SELECT count(*) FROM deployment_statuses WHERE deployment_id = $1")
                            .execute(Tuple.of(deploymentId))
                            .map(count -> new Page<>(items, page, perPage, count.iterator().next().getLong(0)));
                });
    }

    /**
     * One status of a deployment.
     *
     * @param deploymentId the deployment
     * @param statusId the status
     * @return the status, if it exists and belongs to that deployment
     */
    public Future<Optional<Status>> find(long deploymentId, long statusId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM deployment_statuses WHERE id = $1 AND deployment_id = $2")
                .execute(Tuple.of(statusId, deploymentId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(status(rows.iterator().next())));
    }

    /**
     * Adds a status from an API client. Only statuses change: what Kiln serves does not.
     *
     * @param deploymentId the deployment
     * @param status what to write
     * @return the stored status; fails with not found when the deployment is gone
     */
    public Future<Status> create(long deploymentId, NewStatus status) {
        // The project lock orders this against the pipeline's own success statuses (deployed,
        // rollback), so two auto_inactive passes never miss each other.
        return pool.withTransaction(connection -> connection
                .preparedQuery("SELECT p.id FROM projects p JOIN deployments d ON d.project_id = p.id WHERE d.id = $1 FOR UPDATE OF p")
                .execute(Tuple.of(deploymentId))
                .compose(locked -> locked.size() == 0
                        ? Future.failedFuture(KilnException.notFound("deployment " + deploymentId))
                        : write(connection, deploymentId, status)));
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
        return write(client, deploymentId, status).map(Status::id);
    }

    private static Future<Status> write(SqlClient client, long deploymentId, NewStatus status) {
        return client.preparedQuery("INSERT INTO deployment_statuses (deployment_id, state, description, environment, "
                        + "target_url, log_url, environment_url, creator, creator_id) "
                        + "SELECT $1, $2, $3, COALESCE($4, (SELECT environment FROM deployment_statuses WHERE deployment_id = $1 "
                        + "ORDER BY id DESC LIMIT 1), d.environment), $5, $6, $7, $8, $9::bigint FROM deployments d WHERE d.id = $1 "
                        + "RETURNING " + COLUMNS)
                .execute(Tuple.from(new Object[] {deploymentId, status.state(), status.description(), status.environment(),
                        status.targetUrl(), status.logUrl(), status.environmentUrl(), status.creator().name(),
                        status.creator().tokenId()}))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(KilnException.notFound("deployment " + deploymentId));
                    }
                    Status written = status(rows.iterator().next());
                    if (status.retires() == null) {
                        return Future.succeededFuture(written);
                    }
                    return markEarlierInactive(client, deploymentId, written.environment(), status.creator(), status.retires())
                            .map(done -> written);
                });
    }

    /**
     * {@code auto_inactive}: gives every earlier deployment of the same project and environment
     * whose latest status is live a retired one.
     */
    private static Future<Void> markEarlierInactive(SqlClient client, long deploymentId, String environment, Creator creator,
                                                    Retirement retirement) {
        return client.preparedQuery("INSERT INTO deployment_statuses (deployment_id, state, description, environment, "
                        + "target_url, log_url, environment_url, creator, creator_id) "
                        + "SELECT latest.deployment_id, $5::text, $7::text || $1::bigint, latest.environment, "
                        + "latest.target_url, latest.log_url, latest.environment_url, $3::text, $4::bigint "
                        + "FROM deployments other JOIN LATERAL (SELECT * FROM deployment_statuses s WHERE s.deployment_id = other.id "
                        + "ORDER BY s.id DESC LIMIT 1) latest ON TRUE "
                        + "WHERE other.project_id = (SELECT project_id FROM deployments WHERE id = $1::bigint) AND other.id < $1::bigint "
                        + "AND latest.state = $6::text AND latest.environment = $2::text ORDER BY latest.deployment_id")
                .execute(Tuple.from(new Object[] {deploymentId, environment, creator.name(), creator.tokenId(),
                        retirement.retiredState(), retirement.liveState(), retirement.description()}))
                .mapEmpty();
    }

    /**
     * Retires one deployment's latest status when it is live: for the deployment the production URL
     * no longer serves, whatever its environment.
     *
     * @param client a connection inside the caller's transaction
     * @param deploymentId the deployment no longer live
     * @param replacedBy the deployment live instead
     * @param retirement the states, from the status that replaced it; null retires nothing
     * @return done
     */
    public static Future<Void> markInactive(SqlClient client, long deploymentId, long replacedBy, Retirement retirement) {
        if (retirement == null) {
            return Future.succeededFuture();
        }
        return client.preparedQuery("INSERT INTO deployment_statuses (deployment_id, state, description, environment, "
                        + "target_url, log_url, environment_url, creator, creator_id) "
                        + "SELECT latest.deployment_id, $4::text, $6::text || $2::bigint, latest.environment, "
                        + "latest.target_url, latest.log_url, latest.environment_url, $3::text, NULL "
                        + "FROM (SELECT * FROM deployment_statuses WHERE deployment_id = $1::bigint ORDER BY id DESC LIMIT 1) latest "
                        + "WHERE latest.state = $5::text")
                .execute(Tuple.from(new Object[] {deploymentId, replacedBy, KILN, retirement.retiredState(), retirement.liveState(),
                        retirement.description()}))
                .mapEmpty();
    }

    private static Status status(Row row) {
        return new Status(row.getLong("id"), row.getLong("deployment_id"), row.getString("state"), row.getString("description"),
                row.getString("environment"), row.getString("target_url"), row.getString("log_url"),
                row.getString("environment_url"), new Creator(row.getString("creator"), row.getLong("creator_id")),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    }
}
