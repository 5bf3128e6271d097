package dev.kiln.core.server;

import dev.kiln.core.api.HttpEdge;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The node's HTTP servers: one per event loop on the same port, all behind the same edge guard.
 */
final class HttpListeners {

    private HttpListeners() {
    }

    /**
     * Listens. The first server listens before any route exists: with port 0 the public URL is known
     * only once the port is; routes are added before the node reports ready.
     *
     * @param vertx the Vert.x instance
     * @param host the address to listen on
     * @param configuredPort the port, or 0 for a random one
     * @param instances how many servers share the port
     * @param handler what answers requests
     * @return the first server, once every server listens
     */
    static Future<HttpServer> listen(Vertx vertx, String host, int configuredPort, int instances, Handler<HttpServerRequest> handler) {
        // No compression by the server: it would turn off zero-copy file sending for every
        // response. Sites compress text themselves (SiteHandler); API answers are small.
        HttpServerOptions options = new HttpServerOptions();
        // A negative port is Vert.x's way to share one random port among server instances.
        int port = configuredPort == 0 ? -1 : configuredPort;
        Handler<HttpServerRequest> guarded = HttpEdge.guard(handler);
        HttpServer first = vertx.createHttpServer(options);
        first.invalidRequestHandler(HttpEdge::invalidRequest);
        Future<HttpServer> listening = first.requestHandler(guarded).listen(port, host).recover(error -> Future.failedFuture(
                new IllegalStateException("cannot listen for HTTP on " + host + ":" + configuredPort + " ("
                        + error.getMessage() + "); choose another --port or stop what uses it", error)));
        // More servers on the same port: Vert.x spreads connections over their event loops,
        // so serving sites uses every core, as nginx's worker processes do.
        for (int i = 1; i < instances; i++) {
            listening = listening.compose(done -> {
                HttpServer more = vertx.createHttpServer(options);
                more.invalidRequestHandler(HttpEdge::invalidRequest);
                return more.requestHandler(guarded).listen(port, host);
            });
        }
        return listening.map(done -> first);
    }
}
