package dev.kiln.core.api;

import dev.kiln.core.KilnException;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.plugins.PluginInfo;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code /plugins}, for admin tokens only: list, install (the plugin file is the raw request
 * body), enable, disable, remove. Installing and the rest block, so they run on worker threads.
 */
final class PluginsHandler {

    /** Routing context key: the body limit of the current route, for the 413 message. */
    static final String BODY_LIMIT_KEY = "kiln.body.limit";

    private final Vertx vertx;
    private final PluginHost plugins;

    PluginsHandler(Vertx vertx, PluginHost plugins) {
        this.vertx = vertx;
        this.plugins = plugins;
    }

    /** The upload's own body handler; it must come before the API's general, smaller one. */
    void mountUploadBody(Router router) {
        long limit = plugins.maxUploadBytes();
        router.post("/plugins").handler(context -> {
            context.put(BODY_LIMIT_KEY, limit);
            context.next();
        });
        router.post("/plugins").handler(BodyHandler.create(false).setBodyLimit(limit));
    }

    void mount(Router router) {
        router.get("/plugins").handler(this::list);
        router.post("/plugins").handler(this::install);
        router.get("/plugins/:pluginId").handler(context -> blocking(context, 200, () -> plugins.plugin(context.pathParam("pluginId"))));
        router.post("/plugins/:pluginId/disable").handler(context -> blocking(context, 200,
                () -> plugins.disable(context.pathParam("pluginId"))));
        router.post("/plugins/:pluginId/enable").handler(context -> blocking(context, 200,
                () -> plugins.enable(context.pathParam("pluginId"))));
        router.delete("/plugins/:pluginId").handler(this::remove);
    }

    private void list(RoutingContext context) {
        Auth.requireAdmin(context);
        vertx.executeBlocking(plugins::plugins, false)
                .onSuccess(list -> {
                    JsonArray items = new JsonArray();
                    list.forEach(plugin -> items.add(view(plugin)));
                    Responses.data(context, 200, items);
                })
                .onFailure(context::fail);
    }

    private void install(RoutingContext context) {
        Auth.requireAdmin(context);
        var body = context.body();
        if (body == null || body.buffer() == null || body.length() == 0) {
            throw KilnException.invalid("body", "the request body must be the plugin file (a jar or a PF4J zip)");
        }
        byte[] content = body.buffer().getBytes();
        blocking(context, 201, () -> plugins.install(content));
    }

    private void remove(RoutingContext context) {
        Auth.requireAdmin(context);
        String id = context.pathParam("pluginId");
        vertx.executeBlocking(() -> {
            plugins.remove(id);
            return null;
        }, false).onSuccess(v -> context.response().setStatusCode(204).end()).onFailure(context::fail);
    }

    private void blocking(RoutingContext context, int status, java.util.concurrent.Callable<PluginInfo> work) {
        Auth.requireAdmin(context);
        // Serialised: PluginHost's changes take its lock anyway; ordered keeps them in request order.
        vertx.executeBlocking(work, true)
                .onSuccess(plugin -> Responses.data(context, status, view(plugin)))
                .onFailure(context::fail);
    }

    static JsonObject view(PluginInfo plugin) {
        return new JsonObject()
                .put("id", plugin.id())
                .put("version", plugin.version())
                .put("state", plugin.state().wireName())
                .put("provider", plugin.provider())
                .put("description", plugin.description())
                .put("builders", new JsonArray(plugin.builders()))
                .put("storage_targets", new JsonArray(plugin.storageTargets()))
                .put("problem", plugin.problem());
    }
}
