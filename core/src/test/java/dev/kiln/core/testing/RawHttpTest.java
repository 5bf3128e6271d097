package dev.kiln.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class RawHttpTest {

    /** A server may answer a bad request and close before the client has sent its whole body. */
    @Test
    void readsTheAnswerSentBeforeTheBodyWasTaken() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        head.append((char) in.read());
                    }
                    String body = "{\"error\":{\"code\":\"bad_request\",\"message\":\"bad escape\"}}";
                    socket.getOutputStream().write(("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: "
                            + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] large = new byte[64 * 1024 * 1024];
            RawHttp.Response response = RawHttp.send("http://127.0.0.1:" + server.getLocalPort(), null, "POST", "/%zz",
                    Map.of(), large);
            answered.join();
            assertEquals(400, response.status());
            assertEquals("bad_request", response.errorCode());
        }
    }
}
