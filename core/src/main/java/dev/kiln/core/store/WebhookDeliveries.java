package dev.kiln.core.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The webhook deliveries a project already handled, so that a replayed one creates nothing.
 */
public final class WebhookDeliveries {

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public WebhookDeliveries(Pool pool) {
        this.pool = pool;
    }

    /**
     * Remembers a delivery.
     *
     * @param projectId the project
     * @param deliveryId the platform's delivery id
     * @return true when it is new, false when it was seen before
     */
    public Future<Boolean> remember(long projectId, String deliveryId) {
        return pool.preparedQuery("INSERT INTO webhook_deliveries (project_id, delivery_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(projectId, deliveryId))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * Forgets a delivery whose handling failed, so the platform's redelivery is handled again.
     *
     * @param projectId the project
     * @param deliveryId the platform's delivery id
     * @return done
     */
    public Future<Void> forget(long projectId, String deliveryId) {
        return pool.preparedQuery("DELETE FROM webhook_deliveries WHERE project_id = $1 AND delivery_id = $2")
                .execute(Tuple.of(projectId, deliveryId))
                .mapEmpty();
    }
}
