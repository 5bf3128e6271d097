package dev.kiln.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The connection pool to Kiln's PostgreSQL database, and the schema migrations run at start-up.
 */
public final class Database {

    /** Migrations in the order they apply; a new one is appended, never edited once released. */
    static final List<String> MIGRATIONS = List.of("V1__foundation.sql", "V2__deployment_statuses.sql", "V4__cluster_nodes.sql", "V5__plugin_files.sql");

    // Any constant works; all nodes must agree on it so that only one migrates at a time.
    private static final long MIGRATION_LOCK = 0x4b494c4e; // "KILN"

    private Database() {
    }

    /**
     * Creates a pool for a {@code postgresql://} URI.
     *
     * @param vertx the Vert.x instance
     * @param uri the connection URI
     * @param maxSize the pool size
     * @return the pool; connections open lazily
     */
    public static Pool pool(Vertx vertx, String uri, int maxSize) {
        PgConnectOptions connectOptions = PgConnectOptions.fromUri(uri)
                .setCachePreparedStatements(true);
        return PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(maxSize).setShared(false))
                .connectingTo(connectOptions)
                .using(vertx)
                .build();
    }

    /**
     * Creates a pool for progress writes that a database crash may lose without harm (claims,
     * intermediate states, log batches): its sessions do not wait for the WAL to reach the disk, so
     * each such write is one round trip with no flush.
     *
     * @param vertx the Vert.x instance
     * @param uri the connection URI
     * @param maxSize the pool size
     * @return the pool
     */
    public static Pool progressPool(Vertx vertx, String uri, int maxSize) {
        PgConnectOptions connectOptions = PgConnectOptions.fromUri(uri)
                .setCachePreparedStatements(true)
                .addProperty("synchronous_commit", "off");
        return PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(maxSize).setShared(false))
                .connectingTo(connectOptions)
                .using(vertx)
                .build();
    }

    /**
     * Applies the migrations this database lacks. Safe when several nodes start at once: each
     * takes a transaction-scoped advisory lock first, so the others wait and then find nothing to do.
     *
     * @param pool the pool
     * @return the names of the migrations applied now
     */
    public static Future<List<String>> migrate(Pool pool) {
        return pool.withTransaction(connection -> connection
                .query("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")").execute()
                .compose(locked -> connection.query("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        + " version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())").execute())
                .compose(created -> connection.query("SELECT version FROM schema_migrations").execute())
                .compose(rows -> {
                    Set<String> applied = new HashSet<>();
                    for (Row row : rows) {
                        applied.add(row.getString(0));
                    }
                    List<String> missing = MIGRATIONS.stream().filter(name -> !applied.contains(name)).toList();
                    Future<Void> chain = Future.succeededFuture();
                    for (String name : missing) {
                        chain = chain.compose(previous -> apply(connection, name));
                    }
                    return chain.map(done -> missing);
                }));
    }

    private static Future<Void> apply(SqlConnection connection, String name) {
        String sql;
        try (InputStream in = Database.class.getResourceAsStream("/db/" + name)) {
            if (in == null) {
                return Future.failedFuture(new IllegalStateException("migration " + name + " is missing from the classpath"));
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        // The simple query protocol runs a whole script of statements at once.
        return connection.query(sql).execute()
                .compose(done -> connection.preparedQuery("INSERT INTO schema_migrations (version) VALUES ($1)")
                        .execute(Tuple.of(name)))
                .mapEmpty();
    }
}
