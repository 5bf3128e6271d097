package dev.kiln.core.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of every Kiln endpoint, written by hand in
 * {@code openapi/kiln.json} and served as it is, without a token. The tests check real answers of
 * every endpoint against it, so it cannot drift from what the server does.
 */
final class OpenApiDocument {

    /** Where the document is on the classpath. */
    static final String RESOURCE = "/openapi/kiln.json";

    private OpenApiDocument() {
    }

    static void mount(Router router) {
        Buffer document = load();
        router.get("/openapi.json").handler(context -> context.response()
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .end(document));
    }

    private static Buffer load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
