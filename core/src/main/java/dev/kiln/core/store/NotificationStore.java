package dev.kiln.core.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Notification subscriptions and their outbox of deliveries. Deliveries are written by database
 * triggers in the same transaction as the deployment change they report (see
 * {@code V12__notifications.sql}); here they are claimed under a lease, recorded and finished.
 */
public final class NotificationStore {

    private static final String SUBSCRIPTION_COLUMNS = "id, project_id, url, events, format, secret, created_at";
    private static final String DELIVERY_COLUMNS = "id, subscription_id, event, deployment_id, snapshot, status, attempts, "
            + "next_attempt_at, created_at, finished_at";

    private final Pool pool;

    /**
     * A store.
     *
     * @param pool the pool
     */
    public NotificationStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A subscription to a project's deployment events.
     *
     * @param id its id
     * @param projectId the project
     * @param url where events are posted
     * @param events the event names it wants
     * @param format {@code json} or {@code slack}
     * @param secret the HMAC key, or null for unsigned deliveries
     * @param createdAt when it was made
     */
    public record Subscription(long id, long projectId, String url, List<String> events, String format, String secret,
                               OffsetDateTime createdAt) {
    }

    /**
     * One event to deliver to one subscription.
     *
     * @param id its id
     * @param subscriptionId the subscription
     * @param event the event name
     * @param deploymentId the deployment it is about
     * @param snapshot the deployment and project when the event happened
     * @param status {@code pending}, {@code delivered} or {@code failed}
     * @param attempts attempts made so far
     * @param nextAttemptAt when the next attempt is due
     * @param createdAt when the event happened
     * @param finishedAt when it was delivered or given up, or null
     */
    public record Delivery(long id, long subscriptionId, String event, long deploymentId, JsonObject snapshot, String status,
                           int attempts, OffsetDateTime nextAttemptAt, OffsetDateTime createdAt, OffsetDateTime finishedAt) {
    }

    /**
     * One attempt at a delivery.
     *
     * @param attemptedAt when
     * @param responseStatus the receiver's HTTP status, or null when none came
     * @param error what went wrong, or null
     * @param durationMillis how long it took
     */
    public record Attempt(OffsetDateTime attemptedAt, Integer responseStatus, String error, long durationMillis) {
    }

    /**
     * A delivery with its attempts, oldest attempt first.
     *
     * @param delivery the delivery
     * @param attempts its attempts
     */
    public record DeliveryWithAttempts(Delivery delivery, List<Attempt> attempts) {
    }

    /**
     * A claimed delivery and where it goes.
     *
     * @param delivery the delivery
     * @param subscription its subscription
     */
    public record Claimed(Delivery delivery, Subscription subscription) {
    }

    /**
     * Adds a subscription.
     *
     * @param projectId the project
     * @param url the receiver
     * @param events event names
     * @param format the body format
     * @param secret the HMAC key or null
     * @return the subscription
     */
    public Future<Subscription> create(long projectId, String url, List<String> events, String format, String secret) {
        return pool.preparedQuery("INSERT INTO notification_subscriptions (project_id, url, events, format, secret) "
                        + "VALUES ($1, $2, $3, $4, $5) RETURNING " + SUBSCRIPTION_COLUMNS)
                .execute(Tuple.of(projectId, url, events.toArray(String[]::new), format, secret))
                .map(rows -> subscription(rows.iterator().next()));
    }

    /**
     * A project's subscriptions, oldest first.
     *
     * @param projectId the project
     * @return the subscriptions
     */
    public Future<List<Subscription>> list(long projectId) {
        return pool.preparedQuery("SELECT " + SUBSCRIPTION_COLUMNS + " FROM notification_subscriptions WHERE project_id = $1 ORDER BY id")
                .execute(Tuple.of(projectId))
                .map(rows -> {
                    List<Subscription> found = new ArrayList<>();
                    rows.forEach(row -> found.add(subscription(row)));
                    return found;
                });
    }

    /**
     * One subscription of a project.
     *
     * @param projectId the project
     * @param id the subscription
     * @return the subscription, or empty
     */
    public Future<Optional<Subscription>> find(long projectId, long id) {
        return pool.preparedQuery("SELECT " + SUBSCRIPTION_COLUMNS + " FROM notification_subscriptions WHERE project_id = $1 AND id = $2")
                .execute(Tuple.of(projectId, id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(subscription(rows.iterator().next())));
    }

    /**
     * Removes a subscription and its deliveries.
     *
     * @param projectId the project
     * @param id the subscription
     * @return whether it existed
     */
    public Future<Boolean> delete(long projectId, long id) {
        return pool.preparedQuery("DELETE FROM notification_subscriptions WHERE project_id = $1 AND id = $2")
                .execute(Tuple.of(projectId, id))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * A subscription's deliveries, newest first, with their attempts.
     *
     * @param subscriptionId the subscription
     * @param page the page, from 1
     * @param perPage the page size
     * @return the page
     */
    public Future<Page<DeliveryWithAttempts>> deliveries(long subscriptionId, int page, int perPage) {
        return pool.preparedQuery("SELECT count(*) FROM notification_deliveries WHERE subscription_id = $1")
                .execute(Tuple.of(subscriptionId))
                .compose(count -> pool.preparedQuery("SELECT " + DELIVERY_COLUMNS + ", (SELECT coalesce(json_agg(json_build_object("
                                + "'attempted_at', a.attempted_at, 'response_status', a.response_status, 'error', a.error, "
                                + "'duration_ms', a.duration_ms) ORDER BY a.id), '[]') FROM notification_attempts a "
                                + "WHERE a.delivery_id = d.id) AS attempt_list "
                                + "FROM notification_deliveries d WHERE subscription_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3")
                        .execute(Tuple.of(subscriptionId, perPage, (long) (page - 1) * perPage))
                        .map(rows -> {
                            List<DeliveryWithAttempts> items = new ArrayList<>();
                            for (Row row : rows) {
                                List<Attempt> attempts = new ArrayList<>();
                                Object list = row.getValue("attempt_list");
                                io.vertx.core.json.JsonArray array = list instanceof io.vertx.core.json.JsonArray json ? json
                                        : new io.vertx.core.json.JsonArray(String.valueOf(list));
                                for (int i = 0; i < array.size(); i++) {
                                    JsonObject attempt = array.getJsonObject(i);
                                    attempts.add(new Attempt(OffsetDateTime.parse(attempt.getString("attempted_at")),
                                            attempt.getInteger("response_status"), attempt.getString("error"),
                                            attempt.getLong("duration_ms")));
                                }
                                items.add(new DeliveryWithAttempts(delivery(row), attempts));
                            }
                            return new Page<>(items, page, perPage, count.iterator().next().getLong(0));
                        }));
    }

    /**
     * Claims due deliveries for this node under a lease; a delivery leased by a node that died
     * becomes due again when its lease runs out.
     *
     * @param node this node
     * @param limit at most this many
     * @param leaseSeconds how long the claim holds
     * @return the claimed deliveries
     */
    public Future<List<Claimed>> claimDue(String node, int limit, int leaseSeconds) {
        return pool.preparedQuery("WITH due AS (SELECT id FROM notification_deliveries "
                        + "WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at < now()) "
                        + "ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) "
                        + "UPDATE notification_deliveries d SET lease_owner = $1, lease_expires_at = now() + make_interval(secs => $3) "
                        + "FROM due WHERE d.id = due.id RETURNING d.id")
                .execute(Tuple.of(node, limit, leaseSeconds))
                .compose(claimed -> {
                    List<Long> ids = new ArrayList<>();
                    claimed.forEach(row -> ids.add(row.getLong(0)));
                    if (ids.isEmpty()) {
                        return Future.succeededFuture(List.<Claimed>of());
                    }
                    return pool.preparedQuery("SELECT " + prefixed("d", DELIVERY_COLUMNS) + ", "
                                    + prefixed("s", SUBSCRIPTION_COLUMNS).replace("s.id,", "s.id AS s_id,")
                                    .replace("s.created_at", "s.created_at AS s_created_at")
                                    + " FROM notification_deliveries d JOIN notification_subscriptions s ON s.id = d.subscription_id "
                                    + "WHERE d.id = ANY($1) ORDER BY d.id")
                            .execute(Tuple.of(ids.toArray(Long[]::new)))
                            .map(rows -> {
                                List<Claimed> found = new ArrayList<>();
                                for (Row row : rows) {
                                    Subscription subscription = new Subscription(row.getLong("s_id"), row.getLong("project_id"),
                                            row.getString("url"), List.of(row.getArrayOfStrings("events")), row.getString("format"),
                                            row.getString("secret"), row.getOffsetDateTime("s_created_at"));
                                    found.add(new Claimed(delivery(row), subscription));
                                }
                                return found;
                            });
                });
    }

    /**
     * Records an attempt and its outcome, if this node still holds the delivery.
     *
     * @param deliveryId the delivery
     * @param node this node
     * @param attempt what happened
     * @param delivered whether the receiver took it
     * @param retryInMillis when not delivered: how long until the next attempt, or a negative number to give up
     * @return done
     */
    public Future<Void> finishAttempt(long deliveryId, String node, Attempt attempt, boolean delivered, long retryInMillis) {
        String status = delivered ? "delivered" : retryInMillis < 0 ? "failed" : "pending";
        return pool.withTransaction(connection -> connection.preparedQuery("UPDATE notification_deliveries SET "
                        + "attempts = attempts + 1, status = $3, lease_owner = NULL, lease_expires_at = NULL, "
                        + "next_attempt_at = now() + make_interval(secs => $4), "
                        + "finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END "
                        + "WHERE id = $1 AND lease_owner = $2 AND status = 'pending'")
                .execute(Tuple.of(deliveryId, node, status, Math.max(0, retryInMillis) / 1000.0))
                .compose(updated -> updated.rowCount() == 0 ? Future.<Void>succeededFuture()
                        : connection.preparedQuery("INSERT INTO notification_attempts (delivery_id, response_status, error, duration_ms) "
                                        + "VALUES ($1, $2, $3, $4)")
                                .execute(Tuple.of(deliveryId, attempt.responseStatus(), attempt.error(), attempt.durationMillis()))
                                .<Void>mapEmpty()));
    }

    /**
     * Whether any delivery is due now, a cheap check before claiming.
     *
     * @return whether one is
     */
    public Future<Boolean> anyDue() {
        return pool.query("SELECT EXISTS (SELECT 1 FROM notification_deliveries WHERE status = 'pending' AND next_attempt_at <= now() "
                        + "AND (lease_expires_at IS NULL OR lease_expires_at < now()))")
                .execute()
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static String prefixed(String alias, String columns) {
        StringBuilder out = new StringBuilder();
        for (String column : columns.split(",\\s*")) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(alias).append('.').append(column);
        }
        return out.toString();
    }

    private static Subscription subscription(Row row) {
        return new Subscription(row.getLong("id"), row.getLong("project_id"), row.getString("url"),
                List.of(row.getArrayOfStrings("events")), row.getString("format"), row.getString("secret"),
                row.getOffsetDateTime("created_at"));
    }

    private static Delivery delivery(Row row) {
        Object snapshot = row.getValue("snapshot");
        JsonObject json = snapshot instanceof JsonObject object ? object : new JsonObject(String.valueOf(snapshot));
        return new Delivery(row.getLong("id"), row.getLong("subscription_id"), row.getString("event"), row.getLong("deployment_id"),
                json, row.getString("status"), row.getInteger("attempts"), row.getOffsetDateTime("next_attempt_at"),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("finished_at"));
    }
}
