package dev.kiln.core.api;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.core.pipeline.LiveLogs;
import dev.kiln.core.store.DeploymentStore;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET .../logs/stream}: the deployment's log as Server-Sent Events, one event per line
 * with the line number as its id. A client that reconnects with {@code Last-Event-ID} gets the
 * lines after it. The stream sends an {@code end} event and closes when the deployment is final.
 */
final class LogStreamHandler {

    private static final long KEEP_ALIVE_MILLIS = 15_000;

    private final Vertx vertx;
    private final DeploymentsHandler deploymentsHandler;
    private final DeploymentStore deployments;

    LogStreamHandler(Vertx vertx, DeploymentsHandler deploymentsHandler, DeploymentStore deployments) {
        this.vertx = vertx;
        this.deploymentsHandler = deploymentsHandler;
        this.deployments = deployments;
    }

    void mount(Router router) {
        router.get("/projects/:projectId/deployments/:deploymentId/logs/stream").handler(this::stream);
    }

    /** One follower's state, confined to the request's event loop. */
    private final class Follower {
        final long deploymentId;
        final HttpServerResponse response;
        final List<JsonObject> early = new ArrayList<>();
        // Live lines that arrived ahead of a gap; the gap's lines are still on their way to the database.
        final java.util.TreeMap<Integer, String> ahead = new java.util.TreeMap<>();
        boolean filling;
        int fillAttempts;
        MessageConsumer<JsonObject> consumer;
        long keepAlive;
        int cursor;
        boolean caughtUp;
        boolean closed;

        Follower(long deploymentId, HttpServerResponse response, int cursor) {
            this.deploymentId = deploymentId;
            this.response = response;
            this.cursor = cursor;
        }

        void onMessage(JsonObject message) {
            if (!caughtUp) {
                early.add(message);
                return;
            }
            handle(message);
        }

        void handle(JsonObject message) {
            if (closed) {
                return;
            }
            if (message.getBoolean("end", false)) {
                catchUpAndEnd(this, message.getString("status"));
                return;
            }
            int number = message.getInteger("n");
            if (number > cursor) {
                ahead.put(number, message.getString("line"));
                drain();
            }
        }

        /** Writes the lines that follow the cursor without a gap; fetches a gap from the database. */
        void drain() {
            while (!ahead.isEmpty() && ahead.firstKey() <= cursor + 1) {
                var first = ahead.pollFirstEntry();
                if (first.getKey() == cursor + 1) {
                    write(first.getKey(), first.getValue());
                }
            }
            if (!ahead.isEmpty() && !filling) {
                filling = true;
                // Lines are stored within DeploymentLog's flush period; look again after it.
                vertx.setTimer(250, id -> deployments.logLinesAfter(deploymentId, cursor).onComplete(result -> {
                    filling = false;
                    if (closed) {
                        return;
                    }
                    if (result.succeeded()) {
                        result.result().forEach(line -> ahead.putIfAbsent(line.number(), line.text()));
                    }
                    if (++fillAttempts > 20 && !ahead.isEmpty() && ahead.firstKey() > cursor + 1) {
                        // The lines are lost (a node died before storing them): move on.
                        cursor = ahead.firstKey() - 1;
                    }
                    drain();
                }));
            } else if (ahead.isEmpty()) {
                fillAttempts = 0;
            }
        }

        void write(int number, String line) {
            cursor = number;
            response.write("id: " + number + "\ndata: " + line + "\n\n");
        }

        void end(String status) {
            if (closed) {
                return;
            }
            response.write("event: end\ndata: " + new JsonObject().put("status", status).encode() + "\n\n");
            close();
            response.end();
        }

        void close() {
            closed = true;
            vertx.cancelTimer(keepAlive);
            if (consumer != null) {
                consumer.unregister();
            }
        }
    }

    private void stream(RoutingContext context) {
        int lastEventId = lastEventId(context);
        deploymentsHandler.readable(context).onFailure(context::fail).onSuccess(found -> {
            HttpServerResponse response = context.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            long deploymentId = found.deployment().id();
            Follower follower = new Follower(deploymentId, response, lastEventId);
            // Subscribe before reading the stored lines, so no line falls between the two.
            follower.consumer = vertx.eventBus().consumer(LiveLogs.address(deploymentId), message -> follower.onMessage(message.body()));
            response.closeHandler(closed -> follower.close());
            follower.keepAlive = vertx.setPeriodic(KEEP_ALIVE_MILLIS, id -> response.write(": keep-alive\n\n"));
            response.write("retry: 2000\n\n");
            follower.consumer.completion()
                    .compose(registered -> deployments.logLinesAfter(deploymentId, lastEventId))
                    .compose(lines -> {
                        lines.forEach(line -> follower.ahead.putIfAbsent(line.number(), line.text()));
                        return deployments.find(deploymentId);
                    })
                    .onFailure(error -> {
                        follower.close();
                        response.end();
                    })
                    .onSuccess(current -> {
                        follower.caughtUp = true;
                        follower.early.forEach(follower::handle);
                        follower.early.clear();
                        follower.drain();
                        current.filter(deployment -> !deployment.status().inProgress())
                                .ifPresent(deployment -> catchUpAndEnd(follower, deployment.status().wireName()));
                    });
        });
    }

    // The final state is written after the last line is stored, so one more read finds them all.
    private void catchUpAndEnd(Follower follower, String status) {
        deployments.logLinesAfter(follower.deploymentId, follower.cursor)
                .onComplete(result -> {
                    if (result.succeeded()) {
                        result.result().forEach(line -> follower.ahead.putIfAbsent(line.number(), line.text()));
                    }
                    follower.ahead.forEach((number, text) -> {
                        if (number > follower.cursor) {
                            follower.write(number, text);
                        }
                    });
                    follower.ahead.clear();
                    follower.end(status);
                });
    }

    private static int lastEventId(RoutingContext context) {
        String header = context.request().getHeader("Last-Event-ID");
        if (header == null) {
            header = context.request().getParam("last_event_id");
        }
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(header.trim()));
        } catch (NumberFormatException e) {
            throw dev.kiln.core.KilnException.invalid("Last-Event-ID", "must be a line number");
        }
    }
}
