package dev.kiln.core.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The build farm's nodes as they report themselves.
 */
public final class NodeStore {

    /** A node whose heartbeat is older than this is treated as gone. */
    public static final int STALE_SECONDS = 5;

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public NodeStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A node as stored.
     *
     * @param id the Kiln node id
     * @param address the cluster address, or null when standalone
     * @param httpUrl its API's base URL, or null for a worker without HTTP
     * @param state {@code up} or {@code left}
     * @param executors how many builds it runs at once
     * @param busy how many it is running
     * @param labels its labels
     * @param builders the builders it can run
     * @param tools tool versions
     * @param joinedAt when it (re)joined
     * @param lastSeenAt its last heartbeat
     * @param leftReason why it left, or null
     * @param running the deployments it holds leases for
     */
    public record Node(String id, String address, String httpUrl, String state, int executors, int busy, List<String> labels,
                       List<String> builders, Map<String, String> tools, OffsetDateTime joinedAt, OffsetDateTime lastSeenAt,
                       String leftReason, List<Long> running) {
    }

    /**
     * Records a node joining (or rejoining).
     *
     * @param node the node; its state, times and running list are ignored
     * @return done
     */
    public Future<Void> join(Node node) {
        return pool.preparedQuery("INSERT INTO nodes (id, address, http_url, state, executors, labels, builders, tools) "
                        + "VALUES ($1, $2, $3, 'up', $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET address = $2, http_url = $3, "
                        + "state = 'up', executors = $4, busy = 0, labels = $5, builders = $6, tools = $7, joined_at = now(), "
                        + "last_seen_at = now(), left_at = NULL, left_reason = NULL")
                .execute(Tuple.of(node.id(), node.address(), node.httpUrl(), node.executors(), node.labels().toArray(String[]::new),
                        node.builders().toArray(String[]::new), new JsonObject(new java.util.HashMap<>(node.tools()))))
                .mapEmpty();
    }

    /**
     * Records what a node can build now (after a plugin change).
     *
     * @param id the node
     * @param builders the builders it can run
     * @param tools tool versions
     * @return done
     */
    public Future<Void> capabilities(String id, List<String> builders, Map<String, String> tools) {
        return pool.preparedQuery("UPDATE nodes SET builders = $2, tools = $3 WHERE id = $1")
                .execute(Tuple.of(id, builders.toArray(String[]::new), new JsonObject(new java.util.HashMap<>(tools))))
                .mapEmpty();
    }

    /**
     * A heartbeat.
     *
     * @param id the node
     * @param busy how many builds it runs now
     * @return done
     */
    public Future<Void> heartbeat(String id, int busy) {
        return pool.withTransaction(connection -> Progress.relaxed(connection).compose(relaxed -> connection
                        .preparedQuery("UPDATE nodes SET last_seen_at = now(), busy = $2, state = 'up', left_at = NULL, "
                                + "left_reason = NULL WHERE id = $1")
                        .execute(Tuple.of(id, busy))))
                .mapEmpty();
    }

    /**
     * Marks a node gone, once.
     *
     * @param id the node
     * @param reason why
     * @return true when this call marked it (it was up)
     */
    public Future<Boolean> markLeft(String id, String reason) {
        return pool.preparedQuery("UPDATE nodes SET state = 'left', left_at = now(), left_reason = $2, busy = 0 "
                        + "WHERE id = $1 AND state = 'up' RETURNING id")
                .execute(Tuple.of(id, reason))
                .map(rows -> rows.size() > 0);
    }

    /**
     * Nodes marked up whose heartbeat is stale.
     *
     * @param self this node, never reported
     * @return their ids
     */
    public Future<List<String>> stale(String self) {
        return pool.preparedQuery("SELECT id FROM nodes WHERE state = 'up' AND id <> $1 "
                        + "AND last_seen_at < now() - make_interval(secs => $2)")
                .execute(Tuple.of(self, STALE_SECONDS))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                });
    }

    /**
     * The builders some live node can run.
     *
     * @return builder ids
     */
    public Future<List<String>> liveBuilders() {
        return pool.preparedQuery("SELECT DISTINCT unnest(builders) FROM nodes WHERE state = 'up' "
                        + "AND last_seen_at > now() - make_interval(secs => $1)")
                .execute(Tuple.of(STALE_SECONDS))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                });
    }

    /**
     * All nodes, live first, with the deployments each holds.
     *
     * @return the nodes
     */
    public Future<List<Node>> list() {
        return list(null);
    }

    /**
     * All nodes, live first, with the deployments of some projects each holds.
     *
     * @param visibleProjectIds the projects whose deployments to list, or null for all
     * @return the nodes
     */
    public Future<List<Node>> list(Long[] visibleProjectIds) {
        return pool.preparedQuery("SELECT n.*, (SELECT array_agg(j.deployment_id ORDER BY j.deployment_id) FROM jobs j "
                        + "JOIN deployments d ON d.id = j.deployment_id "
                        + "WHERE j.lease_owner = n.id AND j.lease_expires_at > now() "
                        + "AND ($1::bigint[] IS NULL OR d.project_id = ANY($1))) AS running FROM nodes n "
                        + "ORDER BY n.state DESC, n.joined_at")
                .execute(Tuple.of((Object) visibleProjectIds))
                .map(rows -> {
                    List<Node> nodes = new ArrayList<>();
                    for (Row row : rows) {
                        Long[] running = row.getArrayOfLongs("running");
                        nodes.add(new Node(row.getString("id"), row.getString("address"), row.getString("http_url"),
                                row.getString("state"), row.getInteger("executors"), row.getInteger("busy"),
                                List.of(row.getArrayOfStrings("labels")), List.of(row.getArrayOfStrings("builders")),
                                Rows.stringMap(row.getJsonObject("tools")), row.getOffsetDateTime("joined_at"),
                                row.getOffsetDateTime("last_seen_at"), row.getString("left_reason"),
                                running == null ? List.of() : List.of(running)));
                    }
                    return nodes;
                });
    }
}
