package dev.kiln.core.api;

import java.util.List;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Reads request parts, failing with the API's errors. */
final class Requests {

    static final int DEFAULT_PER_PAGE = 20;
    static final int MAX_PER_PAGE = 100;

    private Requests() {
    }

    /** Page and page size from the query, validated. */
    record Paging(int page, int perPage) {
    }

    static Paging paging(RoutingContext context) {
        return new Paging(intParam(context, "page", 1, 1, Integer.MAX_VALUE / MAX_PER_PAGE),
                intParam(context, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE));
    }

    private static int intParam(RoutingContext context, String name, int fallback, int min, int max) {
        List<String> values = context.queryParam(name);
        if (values.isEmpty()) {
            return fallback;
        }
        String value = values.get(0);
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw KilnException.invalid(name, "must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    static long pathId(RoutingContext context, String name, String what) {
        String value = context.pathParam(name);
        try {
            long id = Long.parseLong(value);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // a malformed id names nothing
        }
        throw KilnException.notFound(what + " '" + value + "'");
    }

    /**
     * The body as a JSON object; an empty body is an empty object when {@code optional}.
     */
    static JsonObject body(RoutingContext context, boolean optional) {
        var body = context.body();
        if (body == null || body.buffer() == null || body.length() == 0 || body.asString().isBlank()) {
            if (optional) {
                return new JsonObject();
            }
            throw new KilnException(ErrorCode.BAD_REQUEST, "the request body must be a JSON object");
        }
        Object parsed;
        try {
            parsed = Json.decodeValue(body.buffer());
        } catch (DecodeException e) {
            throw new KilnException(ErrorCode.BAD_REQUEST, "the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (parsed instanceof JsonObject object) {
            return object;
        }
        throw new KilnException(ErrorCode.BAD_REQUEST, "the request body must be a JSON object");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
