package dev.kiln.core.server;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.api.ApiRouter;
import dev.kiln.core.store.DatabaseHealth;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /health}, and {@code 503} for everything else while the node cannot serve: before it is ready (it is in the
 * nodes table first), and while its database is away. Sites go on to their own handler, which serves what it can.
 */
final class Availability {

    private static final String JSON = "application/json; charset=utf-8";

    private final DatabaseHealth health;
    private volatile boolean ready;

    Availability(DatabaseHealth health) {
        this.health = health;
    }

    /**
     * Mounts the routes; call before any other route of the root router.
     *
     * @param root the node's root router
     */
    void mount(Router root) {
        root.route().handler(this::starting);
        root.get("/health").handler(this::health);
        root.get(ApiRouter.BASE + "/health").handler(this::health);
        root.route(ApiRouter.BASE + "/*").handler(this::databaseAway);
    }

    /** The node is registered and serves from now on. */
    void ready() {
        ready = true;
    }

    private void starting(RoutingContext context) {
        if (ready) {
            context.next();
        } else if (context.request().path().endsWith("/health")) {
            unhealthy(context, "this node is starting");
        } else {
            error(context, "this node is starting; try again in a moment");
        }
    }

    // Asks the database now, so that 200 means it answers at this moment.
    private void health(RoutingContext context) {
        health.check().onComplete(result -> {
            String problem = result.succeeded() ? result.result() : result.cause().getMessage();
            if (problem == null) {
                context.response().setStatusCode(200).putHeader("Content-Type", JSON)
                        .end(new JsonObject().put("data", new JsonObject().put("status", "ok")).encode());
            } else {
                unhealthy(context, "the database is unavailable: " + problem);
            }
        });
    }

    private void databaseAway(RoutingContext context) {
        if (health.available()) {
            context.next();
        } else {
            error(context, "the database is unavailable (" + health.problem() + "); try again shortly");
        }
    }

    private static void unhealthy(RoutingContext context, String reason) {
        context.response().setStatusCode(503).putHeader("Content-Type", JSON).putHeader("Retry-After", "1")
                .end(new JsonObject().put("status", "unavailable").put("reason", reason).encode());
    }

    private static void error(RoutingContext context, String message) {
        context.response().setStatusCode(ErrorCode.UNAVAILABLE.httpStatus()).putHeader("Content-Type", JSON)
                .putHeader("Retry-After", "1")
                .end(new JsonObject().put("error", new JsonObject().put("code", ErrorCode.UNAVAILABLE.wireName())
                        .put("message", message)).encode());
    }
}
