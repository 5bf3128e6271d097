package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Migrations in the order they apply: every {@code db/V<n>__<name>.sql} on the classpath. A new
     * one gets the next number; a released one is never edited (its checksum is checked at start).
     */
    static List<Migrations.Migration> migrations() {
        return Migrations.onClasspath();
    }

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
        List<Migrations.Migration> shipped;
        try {
            shipped = migrations();
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        return pool.withTransaction(connection -> connection
                .query("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")").execute()
                .compose(locked -> connection.query("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        + " version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());"
                        + " ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT").execute())
                .compose(created -> connection.query("SELECT version, checksum FROM schema_migrations").execute())
                .compose(rows -> {
                    Map<String, String> applied = new HashMap<>();
                    for (Row row : rows) {
                        applied.put(row.getString(0), row.getString(1));
                    }
                    Future<Void> chain = Future.succeededFuture();
                    List<String> missing = new ArrayList<>();
                    for (Migrations.Migration migration : shipped) {
                        if (!applied.containsKey(migration.name())) {
                            missing.add(migration.name());
                            chain = chain.compose(previous -> apply(connection, migration));
                            continue;
                        }
                        String recorded = applied.get(migration.name());
                        if (recorded == null) {
                            // Applied before checksums were kept: what ships now is taken as what was applied.
                            chain = chain.compose(previous -> connection
                                    .preparedQuery("UPDATE schema_migrations SET checksum = $2 WHERE version = $1")
                                    .execute(Tuple.of(migration.name(), migration.checksum())).mapEmpty());
                        } else if (!recorded.equals(migration.checksum())) {
                            return Future.failedFuture(new IllegalStateException("migration " + migration.name()
                                    + " was changed after it was applied to this database (checksum " + recorded + " then, "
                                    + migration.checksum() + " now): restore the released file and put the change in a new migration"));
                        }
                    }
                    return chain.map(done -> List.copyOf(missing));
                }));
    }

    private static Future<Void> apply(SqlConnection connection, Migrations.Migration migration) {
        // The simple query protocol runs a whole script of statements at once.
        return connection.query(migration.sql()).execute()
                .compose(done -> connection.preparedQuery("INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)")
                        .execute(Tuple.of(migration.name(), migration.checksum())))
                .mapEmpty();
    }
}
