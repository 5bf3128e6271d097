package dev.kiln.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

/** The node's HTTP servers, started from a thread outside Vert.x as the node does. */
class HttpServersTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void connectionsAreSpreadOverOneEventLoopPerInstance() throws Exception {
        int port = HttpServers.listen(vertx, request -> request.response().end(Thread.currentThread().getName()), 2, "127.0.0.1", 0)
                .await(10, TimeUnit.SECONDS);
        assertThat(port).isPositive();

        // A new client each time is a new connection; Vert.x hands connections to its servers in turn.
        Set<String> threads = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            threads.add(answer.body());
        }
        assertThat(threads).hasSize(2).allMatch(name -> name.startsWith("vert.x-eventloop-thread-"));
    }
}
