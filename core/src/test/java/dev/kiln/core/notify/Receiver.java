package dev.kiln.core.notify;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A webhook receiver on 127.0.0.1 for the tests: records every request and answers with the
 * statuses it is told to, then 200.
 */
final class Receiver implements AutoCloseable {

    /** One request as it arrived. */
    record Received(String path, Map<String, String> headers, String body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();
    private final AtomicInteger fallback = new AtomicInteger(200);

    Receiver() throws Exception {
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            received.add(new Received(request.path(), headers(request.headers()), body.toString()));
            Integer status = answers.poll();
            request.response().setStatusCode(status != null ? status : fallback.get()).end("ok");
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    }

    private static Map<String, String> headers(MultiMap headers) {
        Map<String, String> copy = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach(entry -> copy.put(entry.getKey(), entry.getValue()));
        return copy;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    /** The next requests get these statuses, in order. */
    void answerNext(int... statuses) {
        for (int status : statuses) {
            answers.add(status);
        }
    }

    /** Every request after the scripted ones gets this status. */
    void answerOtherwise(int status) {
        fallback.set(status);
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
