package dev.kiln.core.server;

import java.util.concurrent.atomic.AtomicInteger;

import dev.kiln.core.api.HttpEdge;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The node's HTTP servers: one per event loop on one port, as nginx runs a worker process per
 * core; Vert.x hands each new connection to the next of them. Each server is an instance of a
 * verticle, so each has an event loop of its own: servers made from one thread outside Vert.x
 * would all share that thread's one context, and so one event loop, whatever their number.
 */
final class HttpServers {

    private HttpServers() {
    }

    /**
     * Starts the servers.
     *
     * @param vertx the Vert.x instance
     * @param handler every request's handler (shared: it must be safe on several event loops)
     * @param instances how many servers (event loops)
     * @param host the address to listen on
     * @param port the port; 0 for one chosen by the system, shared by every instance
     * @return the port listened on
     */
    static Future<Integer> listen(Vertx vertx, Handler<HttpServerRequest> handler, int instances, String host, int port) {
        // A negative port is Vert.x's way to share one random port among server instances.
        int shared = port == 0 ? -1 : port;
        AtomicInteger actual = new AtomicInteger();
        return vertx.deployVerticle(() -> new Instance(handler, host, shared, actual), new DeploymentOptions().setInstances(instances))
                .map(deployment -> actual.get());
    }

    /** One server on its own event loop. */
    private static final class Instance extends VerticleBase {

        private final Handler<HttpServerRequest> handler;
        private final String host;
        private final int port;
        private final AtomicInteger actual;

        Instance(Handler<HttpServerRequest> handler, String host, int port, AtomicInteger actual) {
            this.handler = handler;
            this.host = host;
            this.port = port;
            this.actual = actual;
        }

        @Override
        public Future<?> start() {
            // No compression by the server: it would turn off zero-copy file sending for every
            // response. Sites compress text themselves (SiteHandler); API answers are small.
            return vertx.createHttpServer(new HttpServerOptions())
                    .invalidRequestHandler(HttpEdge::invalidRequest)
                    .requestHandler(handler)
                    .listen(port, host)
                    .onSuccess(server -> actual.set(server.actualPort()));
        }
    }
}
