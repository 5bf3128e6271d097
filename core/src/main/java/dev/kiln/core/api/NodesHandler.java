package dev.kiln.core.api;

import dev.kiln.core.store.NodeStore;
import dev.kiln.core.store.NodeStore.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /nodes}: the build farm. */
final class NodesHandler {

    private final NodeStore nodes;

    NodesHandler(NodeStore nodes) {
        this.nodes = nodes;
    }

    void mount(Router router) {
        router.get("/nodes").handler(this::list);
    }

    private void list(RoutingContext context) {
        // A token limited to some projects sees the farm, but only its own projects' deployments on it.
        var token = Auth.token(context);
        Long[] visible = token.admin() || token.projectIds() == null ? null : token.projectIds().toArray(Long[]::new);
        nodes.list(visible)
                .onSuccess(list -> {
                    JsonArray items = new JsonArray();
                    list.forEach(node -> items.add(view(node)));
                    Responses.data(context, 200, items);
                })
                .onFailure(context::fail);
    }

    private static JsonObject view(Node node) {
        JsonObject tools = new JsonObject();
        node.tools().forEach(tools::put);
        return new JsonObject()
                .put("id", node.id())
                .put("address", node.address())
                .put("http_url", node.httpUrl())
                .put("state", node.state())
                .put("executors", new JsonObject().put("total", node.executors()).put("busy", node.busy()))
                .put("labels", new JsonArray(node.labels()))
                .put("capabilities", new JsonObject().put("builders", new JsonArray(node.builders())).put("tools", tools))
                .put("joined_at", Responses.timestamp(node.joinedAt()))
                .put("last_seen_at", Responses.timestamp(node.lastSeenAt()))
                .put("left_reason", node.leftReason())
                .put("running_deployments", new JsonArray(node.running()));
    }
}
