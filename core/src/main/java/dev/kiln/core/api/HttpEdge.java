package dev.kiln.core.api;

import dev.kiln.core.ErrorCode;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * What the HTTP server answers before any route sees a request: requests the HTTP decoder
 * refused (a request line over 4 kB, headers over 8 kB, a control character in a header) and
 * paths or queries with malformed percent escapes. Every answer is the error envelope.
 */
public final class HttpEdge {

    private HttpEdge() {
    }

    /**
     * For {@code HttpServer.invalidRequestHandler}: the decoder could not read the request.
     *
     * @param request the half-read request
     */
    public static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            reject(request, ErrorCode.URI_TOO_LONG, "the request line is longer than 4096 bytes; shorten the URL");
        } else if (cause instanceof TooLongHttpHeaderException) {
            reject(request, ErrorCode.HEADERS_TOO_LARGE, "the request headers are larger than 8192 bytes");
        } else {
            reject(request, ErrorCode.BAD_REQUEST, "malformed HTTP request"
                    + (cause == null || cause.getMessage() == null ? "" : ": " + Requests.printable(cause.getMessage(), 200)));
        }
    }

    /**
     * Wraps the server's request handler: a request whose path or query has a {@code %} not
     * followed by two hex digits is answered 400 here, not deep in routing as an error.
     *
     * @param next the request handler (the root router)
     * @return the guarded handler
     */
    public static Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
        return request -> {
            String uri = request.uri();
            int bad = badEscape(uri);
            if (bad >= 0) {
                reject(request, ErrorCode.BAD_REQUEST, "the URL has a malformed percent escape at character " + bad
                        + ": '%' must be followed by two hexadecimal digits");
                return;
            }
            next.handle(request);
        };
    }

    /** The index of the first malformed escape, or -1. */
    static int badEscape(String uri) {
        if (uri == null) {
            return -1;
        }
        for (int i = 0; i < uri.length(); i++) {
            if (uri.charAt(i) == '%' && (i + 2 >= uri.length() || !isHex(uri.charAt(i + 1)) || !isHex(uri.charAt(i + 2)))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static void reject(HttpServerRequest request, ErrorCode code, String message) {
        var response = request.response();
        if (response.headWritten()) {
            request.connection().close();
            return;
        }
        response.setStatusCode(code.httpStatus())
                .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(new JsonObject().put("error", new JsonObject().put("code", code.wireName()).put("message", message)).encode());
    }
}
