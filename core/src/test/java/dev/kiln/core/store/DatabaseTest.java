package dev.kiln.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kiln.core.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/** Migrations when several nodes start at once against one database. */
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
            assertThat(applied).containsExactlyInAnyOrderElementsOf(Database.MIGRATIONS);

            Pool check = Database.pool(nodes.get(0), database, 1);
            long rows = check.query("SELECT count(*) FROM schema_migrations").execute()
                    .toCompletionStage().toCompletableFuture().get().iterator().next().getLong(0);
            assertThat(rows).isEqualTo(Database.MIGRATIONS.size());
            assertThat(Database.migrate(check).toCompletionStage().toCompletableFuture().get()).isEmpty();
        } finally {
            for (Vertx vertx : nodes) {
                vertx.close().toCompletionStage().toCompletableFuture().get();
            }
        }
    }
}
