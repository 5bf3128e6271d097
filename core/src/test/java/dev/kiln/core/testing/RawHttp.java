package dev.kiln.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.vertx.core.json.JsonObject;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client sends: malformed escapes,
 * control characters in headers, oversized lines. Each request asks the server to close after it.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /**
     * A response as read from the socket.
     *
     * @param status the status code
     * @param headers the headers, names in lower case
     * @param body the body text
     */
    public record Response(int status, Map<String, String> headers, String body) {

        /**
         * The error envelope's code.
         *
         * @return the code, or null when the body is not an error envelope
         */
        public String errorCode() {
            try {
                JsonObject error = new JsonObject(body).getJsonObject("error");
                return error == null || error.getString("message") == null ? null : error.getString("code");
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * Sends a request.
     *
     * @param baseUrl the server, such as {@code http://127.0.0.1:1234}
     * @param localAddress the client address to send from (any 127.x.y.z works on Linux), or null
     * @param method the method
     * @param target the request target, sent as is
     * @param headers extra header lines, sent as is
     * @param body the body, or null
     * @return the response
     * @throws IOException on I/O failure
     */
    public static Response send(String baseUrl, String localAddress, String method, String target, Map<String, String> headers,
                                byte[] body) throws IOException {
        URI uri = URI.create(baseUrl);
        try (Socket socket = new Socket()) {
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            }
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            head.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
            head.append("Connection: close\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            var out = socket.getOutputStream();
            try {
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException writeFailed) {
                // A server may answer (say, 400 for a bad path) and close before it has read the whole body.
                // The answer then sits in this socket's receive buffer; read it as a browser would.
                try {
                    return read(socket.getInputStream(), "HEAD".equals(method));
                } catch (IOException noAnswer) {
                    writeFailed.addSuppressed(noAnswer);
                    throw writeFailed;
                }
            }
            return read(socket.getInputStream(), "HEAD".equals(method));
        }
    }

    private static Response read(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int headerEnd = -1;
        int contentLength = -1;
        Map<String, String> headers = new LinkedHashMap<>();
        int status = -1;
        while (true) {
            if (headerEnd >= 0 && (head || contentLength >= 0 && all.size() - headerEnd >= contentLength)) {
                break;
            }
            int read;
            try {
                read = in.read(buffer);
            } catch (java.net.SocketException e) {
                break; // reset after the response: what was read counts
            }
            if (read < 0) {
                break;
            }
            all.write(buffer, 0, read);
            if (headerEnd < 0) {
                String text = all.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    headerEnd = end + 4;
                    String[] lines = text.substring(0, end).split("\r\n");
                    status = Integer.parseInt(lines[0].split(" ")[1]);
                    for (int i = 1; i < lines.length; i++) {
                        int colon = lines[i].indexOf(':');
                        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                    }
                    if (headers.containsKey("content-length")) {
                        contentLength = Integer.parseInt(headers.get("content-length"));
                    }
                }
            }
        }
        if (headerEnd < 0) {
            throw new IOException("no HTTP response: " + all.toString(StandardCharsets.ISO_8859_1));
        }
        byte[] bytes = all.toByteArray();
        String body = new String(bytes, headerEnd, bytes.length - headerEnd, StandardCharsets.UTF_8);
        return new Response(status, headers, body);
    }
}
