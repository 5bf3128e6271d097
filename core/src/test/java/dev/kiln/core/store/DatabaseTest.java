package dev.kiln.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kiln.core.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/** Migrations: found on the classpath, applied once when several nodes start at once, checked by checksum. */
class DatabaseTest {

    @Test
    void nodesMigratingAtOnceApplyEachMigrationOnce() throws Exception {
        String database = TestDatabase.freshDatabase();
        List<Vertx> nodes = new ArrayList<>();
        try {
            List<Future<List<String>>> migrations = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Vertx vertx = Vertx.vertx();
                nodes.add(vertx);
                Pool pool = Database.pool(vertx, database, 2);
                migrations.add(Database.migrate(pool));
            }
            Future.all(migrations).toCompletionStage().toCompletableFuture().get();
            List<String> applied = new ArrayList<>();
            migrations.forEach(migration -> applied.addAll(migration.result()));
            // Every migration was applied by exactly one node; the others found nothing to do.
            List<String> names = Database.migrations().stream().map(Migrations.Migration::name).toList();
            assertThat(names).contains("V1__foundation.sql", "V2__deployment_statuses.sql", "V5__plugin_files.sql");
            assertThat(applied).containsExactlyInAnyOrderElementsOf(names);

            Pool check = Database.pool(nodes.get(0), database, 1);
            long rows = check.query("SELECT count(*) FROM schema_migrations").execute()
                    .toCompletionStage().toCompletableFuture().get().iterator().next().getLong(0);
            assertThat(rows).isEqualTo(names.size());
            assertThat(Database.migrate(check).toCompletionStage().toCompletableFuture().get()).isEmpty();
        } finally {
            for (Vertx vertx : nodes) {
                vertx.close().toCompletionStage().toCompletableFuture().get();
            }
        }
    }

    @Test
    void aMigrationChangedAfterItWasAppliedStopsTheStart() throws Exception {
        String database = TestDatabase.freshDatabase();
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = Database.pool(vertx, database, 1);
            await(Database.migrate(pool));
            // What an edited released file looks like to the next start: its checksum no longer matches.
            await(pool.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 'V2__deployment_statuses.sql'").execute());
            assertThatThrownBy(() -> await(Database.migrate(pool)))
                    .hasMessageContaining("migration V2__deployment_statuses.sql was changed after it was applied");
        } finally {
            await(vertx.close());
        }
    }

    @Test
    void migrationsAppliedBeforeChecksumsGetTheirChecksumRecorded() throws Exception {
        String database = TestDatabase.freshDatabase();
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = Database.pool(vertx, database, 1);
            await(Database.migrate(pool));
            await(pool.query("UPDATE schema_migrations SET checksum = NULL").execute());
            assertThat(await(Database.migrate(pool))).isEmpty();
            long unchecked = await(pool.query("SELECT count(*) FROM schema_migrations WHERE checksum IS NULL").execute())
                    .iterator().next().getLong(0);
            assertThat(unchecked).isZero();
            String expected = Migrations.sha256(Database.class.getResourceAsStream("/db/V1__foundation.sql").readAllBytes());
            String recorded = await(pool.query("SELECT checksum FROM schema_migrations WHERE version = 'V1__foundation.sql'").execute())
                    .iterator().next().getString(0);
            assertThat(recorded).isEqualTo(expected);
        } finally {
            await(vertx.close());
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
