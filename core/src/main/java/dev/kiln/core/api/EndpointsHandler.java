package dev.kiln.core.api;

import java.util.TreeSet;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/**
 * {@code GET /endpoints}: every method and path this node's API answers, read from the router
 * itself, so that a client (the dashboard) can tell which features exist without probing them.
 */
final class EndpointsHandler {

    private EndpointsHandler() {
    }

    static void mount(Router router) {
        router.get("/endpoints").handler(context -> {
            TreeSet<String> seen = new TreeSet<>();
            for (Route route : router.getRoutes()) {
                String path = route.getPath();
                if (path == null || route.methods() == null) {
                    continue;
                }
                for (HttpMethod method : route.methods()) {
                    seen.add(method.name() + " " + path);
                }
            }
            JsonArray items = new JsonArray();
            seen.forEach(entry -> {
                int space = entry.indexOf(' ');
                items.add(new JsonObject().put("method", entry.substring(0, space)).put("path", entry.substring(space + 1)));
            });
            Responses.data(context, 200, items);
        });
    }
}
