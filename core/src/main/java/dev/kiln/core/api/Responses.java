package dev.kiln.core.api;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.store.Page;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes Kiln's JSON envelopes. */
final class Responses {

    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

    private Responses() {
    }

    static void data(RoutingContext context, int status, Object data) {
        context.response().setStatusCode(status).putHeader("Content-Type", JSON)
                .end(new JsonObject().put("data", data).encode());
    }

    static void page(RoutingContext context, Page<?> page, JsonArray items) {
        JsonObject meta = new JsonObject()
                .put("page", page.page())
                .put("per_page", page.perPage())
                .put("total", page.total())
                .put("total_pages", page.totalPages());
        context.response().setStatusCode(200).putHeader("Content-Type", JSON)
                .end(new JsonObject().put("data", items).put("meta", meta).encode());
    }

    static void error(RoutingContext context, ErrorCode code, String message) {
        if (context.response().headWritten()) {
            context.response().reset();
            return;
        }
        context.response().setStatusCode(code.httpStatus()).putHeader("Content-Type", JSON)
                .end(new JsonObject().put("error", new JsonObject().put("code", code.wireName()).put("message", message)).encode());
    }

    static void error(RoutingContext context, KilnException error) {
        error(context, error.code(), error.getMessage());
    }

    static String timestamp(OffsetDateTime time) {
        return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC).format(TIMESTAMP);
    }
}
