package dev.kiln.core.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.kiln.core.KilnException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * A project's environment variables, one row each. Every change rewrites the project's {@code env}
 * object in the same transaction, so both views always hold the same variables.
 */
public final class EnvVarStore {

    private static final String COLUMNS = "id, project_id, key, value, is_secret, created_at, updated_at";

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public EnvVarStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * One variable as stored.
     *
     * @param id the id
     * @param projectId its project
     * @param key the name
     * @param value the value
     * @param secret whether the value is never shown
     * @param createdAt when created
     * @param updatedAt when last changed
     */
    public record EnvVar(long id, long projectId, String key, String value, boolean secret, OffsetDateTime createdAt,
                         OffsetDateTime updatedAt) {
    }

    /**
     * A project's variables by key.
     *
     * @param projectId the project
     * @return the variables
     */
    public Future<List<EnvVar>> list(long projectId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM project_env_vars WHERE project_id = $1 ORDER BY key")
                .execute(Tuple.of(projectId))
                .map(rows -> {
                    List<EnvVar> vars = new ArrayList<>();
                    rows.forEach(row -> vars.add(envVar(row)));
                    return vars;
                });
    }

    /**
     * The names of a project's secret variables.
     *
     * @param projectId the project
     * @return the keys
     */
    public Future<Set<String>> secretKeys(long projectId) {
        return pool.preparedQuery("SELECT key FROM project_env_vars WHERE project_id = $1 AND is_secret")
                .execute(Tuple.of(projectId))
                .map(rows -> {
                    Set<String> keys = new TreeSet<>();
                    rows.forEach(row -> keys.add(row.getString(0)));
                    return keys;
                });
    }

    /**
     * Adds a variable.
     *
     * @param projectId the project
     * @param key a valid name
     * @param value the value
     * @param secret whether it is secret
     * @return the variable; fails with a conflict when the key exists
     */
    public Future<EnvVar> create(long projectId, String key, String value, boolean secret) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("INSERT INTO project_env_vars (project_id, key, value, is_secret) VALUES ($1, $2, $3, $4) RETURNING " + COLUMNS)
                .execute(Tuple.of(projectId, key, value, secret))
                .compose(rows -> rewriteEnv(connection, projectId).map(v -> envVar(rows.iterator().next()))))
                .recover(error -> Rows.isUniqueViolation(error, "key")
                        ? Future.failedFuture(KilnException.conflict("project " + projectId + " already has a variable " + key))
                        : Rows.isForeignKeyViolation(error)
                        ? Future.failedFuture(KilnException.notFound("project " + projectId))
                        : Future.failedFuture(error));
    }

    /**
     * Changes a variable's value or secrecy.
     *
     * @param projectId the project
     * @param id the variable
     * @param value the new value, or null to keep it
     * @param secret the new secrecy, or null to keep it
     * @return the variable; fails with not found
     */
    public Future<EnvVar> update(long projectId, long id, String value, Boolean secret) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("UPDATE project_env_vars SET value = coalesce($3, value), is_secret = coalesce($4, is_secret), "
                        + "updated_at = now() WHERE project_id = $1 AND id = $2 RETURNING " + COLUMNS)
                .execute(Tuple.of(projectId, id, value, secret))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(KilnException.notFound("environment variable " + id))
                        : rewriteEnv(connection, projectId).map(v -> envVar(rows.iterator().next()))));
    }

    /**
     * Deletes a variable.
     *
     * @param projectId the project
     * @param id the variable
     * @return done; fails with not found
     */
    public Future<Void> delete(long projectId, long id) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("DELETE FROM project_env_vars WHERE project_id = $1 AND id = $2")
                .execute(Tuple.of(projectId, id))
                .compose(rows -> rows.rowCount() == 0
                        ? Future.failedFuture(KilnException.notFound("environment variable " + id))
                        : rewriteEnv(connection, projectId)));
    }

    /**
     * Finds a variable.
     *
     * @param projectId the project
     * @param id the variable
     * @return it, if it exists
     */
    public Future<Optional<EnvVar>> find(long projectId, long id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM project_env_vars WHERE project_id = $1 AND id = $2")
                .execute(Tuple.of(projectId, id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(envVar(rows.iterator().next())));
    }

    private static Future<Void> rewriteEnv(SqlConnection connection, long projectId) {
        return connection.preparedQuery("UPDATE projects SET env = (SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) "
                        + "FROM project_env_vars WHERE project_id = $1), updated_at = now() WHERE id = $1")
                .execute(Tuple.of(projectId))
                .mapEmpty();
    }

    private static EnvVar envVar(Row row) {
        return new EnvVar(row.getLong("id"), row.getLong("project_id"), row.getString("key"), row.getString("value"),
                row.getBoolean("is_secret"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    }
}
