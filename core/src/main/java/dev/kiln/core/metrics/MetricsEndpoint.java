package dev.kiln.core.metrics;

import java.util.function.Supplier;

import dev.kiln.core.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics} in Prometheus' text format, for an admin token, or for anyone when
 * {@code metrics.public=true} (for a scraper on a private network).
 */
public final class MetricsEndpoint {

    /** Prometheus' text exposition format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final KilnMetrics metrics;
    private final TokenStore tokens;
    private final boolean open;
    private final Supplier<Future<?>> refresh;

    /**
     * An endpoint.
     *
     * @param metrics the node's meters
     * @param tokens to check the caller's token
     * @param open whether no token is needed
     * @param refresh brings the gauges read from the database up to date before each scrape;
     *                when it fails they keep their last values
     */
    public MetricsEndpoint(KilnMetrics metrics, TokenStore tokens, boolean open, Supplier<Future<?>> refresh) {
        this.metrics = metrics;
        this.tokens = tokens;
        this.open = open;
        this.refresh = refresh;
    }

    /**
     * Adds the route.
     *
     * @param router the root router
     */
    public void mount(Router router) {
        router.get("/metrics").handler(this::handle);
    }

    private void handle(RoutingContext context) {
        if (open) {
            send(context);
            return;
        }
        String header = context.request().getHeader("Authorization");
        String plain = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (plain == null || plain.isEmpty()) {
            error(context, 401, "unauthorized", "an admin token is required: send 'Authorization: Bearer <token>', or set metrics.public=true");
            return;
        }
        tokens.authenticate(plain).onComplete(result -> {
            if (result.failed()) {
                error(context, 503, "unavailable", "the database is not reachable, so the token cannot be checked");
            } else if (result.result().isEmpty()) {
                error(context, 401, "unauthorized", "the API token is not valid");
            } else if (!result.result().get().admin()) {
                error(context, 403, "forbidden", "the metrics need an admin token");
            } else {
                send(context);
            }
        });
    }

    private void send(RoutingContext context) {
        refresh.get().<Void>transform(ignored -> Future.succeededFuture())
                .compose(refreshed -> context.vertx().executeBlocking(metrics::scrape, false))
                .onSuccess(text -> context.response().putHeader("Content-Type", CONTENT_TYPE).end(text))
                .onFailure(context::fail);
    }

    private static void error(RoutingContext context, int status, String code, String message) {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
                .end(new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)).encode());
    }
}
