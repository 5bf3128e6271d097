package dev.kiln.core.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
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
     * The body as a JSON object; an empty body is an empty object when {@code optional}. A body
     * whose {@code Content-Type} is not JSON, that does not parse, or that is not an object is a
     * 400; a NUL character anywhere in it is a 422 naming the field (PostgreSQL cannot store one).
     */
    static JsonObject body(RoutingContext context, boolean optional) {
        var body = context.body();
        // Not body.asString(): it parses the Content-Type's charset, and a malformed header must not throw there.
        if (body == null || body.buffer() == null || body.length() == 0 || body.buffer().toString(StandardCharsets.UTF_8).isBlank()) {
            if (optional) {
                return new JsonObject();
            }
            throw new KilnException(ErrorCode.BAD_REQUEST, "the request body must be a JSON object");
        }
        checkJsonContentType(context.request().getHeader("Content-Type"));
        Object parsed;
        try {
            parsed = Json.decodeValue(body.buffer());
        } catch (DecodeException e) {
            throw new KilnException(ErrorCode.BAD_REQUEST, "the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (parsed instanceof JsonObject object) {
            checkNoNul(object, "");
            return object;
        }
        throw new KilnException(ErrorCode.BAD_REQUEST, "the request body must be a JSON object");
    }

    /**
     * For actions that take no parameters (cancel, rollback): no body, or an empty JSON object.
     */
    static void noParameters(RoutingContext context, String action) {
        JsonObject body = body(context, true);
        if (!body.isEmpty()) {
            throw KilnException.invalid(body.fieldNames().iterator().next(), "unknown field; " + action + " takes no parameters");
        }
    }

    /**
     * A route handler ahead of every body handler: the API takes JSON, and plugin files as raw
     * bodies, never forms (whose decoder fails on a GET, on bad escapes and on long fields).
     */
    static void refuseForms(RoutingContext context) {
        String type = context.request().getHeader("Content-Type");
        String lower = type == null ? "" : type.trim().toLowerCase(Locale.ROOT);
        if (lower.startsWith("multipart/") || lower.startsWith("application/x-www-form-urlencoded")) {
            context.fail(new KilnException(ErrorCode.BAD_REQUEST, "the API takes JSON bodies (and a plugin file as the raw body), "
                    + "not form data ('" + printable(type, 100) + "')"));
            return;
        }
        context.next();
    }

    /** A JSON body needs a JSON media type; none at all is taken as JSON, for hand-written requests. */
    private static void checkJsonContentType(String header) {
        if (header == null || header.isBlank()) {
            return;
        }
        String type = header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw new KilnException(ErrorCode.BAD_REQUEST, "the request body must be JSON sent as 'Content-Type: application/json', got '"
                    + printable(header, 100) + "'");
        }
    }

    private static void checkNoNul(Object value, String path) {
        if (value instanceof JsonObject object) {
            for (String key : object.fieldNames()) {
                String field = path.isEmpty() ? key : path + "." + key;
                if (key.indexOf('\0') >= 0) {
                    throw KilnException.invalid(printable(field, 100), "a field name must not contain a NUL character");
                }
                checkNoNul(object.getValue(key), field);
            }
        } else if (value instanceof JsonArray array) {
            for (int i = 0; i < array.size(); i++) {
                checkNoNul(array.getValue(i), path + "[" + i + "]");
            }
        } else if (value instanceof String text && text.indexOf('\0') >= 0) {
            throw KilnException.invalid(path, "must not contain a NUL character");
        }
    }

    /**
     * Checks a one-line text value: no control characters, at most {@code maxLength} characters.
     *
     * @return the value
     */
    static String singleLine(String field, String value, int maxLength) {
        checkLength(field, value, maxLength);
        int bad = firstControl(value, false);
        if (bad >= 0) {
            throw KilnException.invalid(field, "must not contain control characters (found U+"
                    + String.format("%04X", (int) value.charAt(bad)) + " at " + bad + ")");
        }
        return value;
    }

    /**
     * Checks a multi-line text value (a command, an environment value): tabs and line breaks are
     * fine, other control characters are not.
     *
     * @return the value
     */
    static String multiLine(String field, String value, int maxLength) {
        checkLength(field, value, maxLength);
        int bad = firstControl(value, true);
        if (bad >= 0) {
            throw KilnException.invalid(field, "must not contain control characters other than tabs and line breaks (found U+"
                    + String.format("%04X", (int) value.charAt(bad)) + " at " + bad + ")");
        }
        return value;
    }

    private static void checkLength(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw KilnException.invalid(field, "must be at most " + maxLength + " characters, got " + value.length());
        }
    }

    private static int firstControl(String value, boolean lineBreaksAllowed) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean control = c < ' ' || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029;
            if (control && !(lineBreaksAllowed && (c == '\t' || c == '\n' || c == '\r'))) {
                return i;
            }
        }
        return -1;
    }

    /** A value fit to quote in an error message: control characters escaped, cut to a length. */
    static String printable(String value, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            if (text.length() >= maxLength) {
                return text + "...";
            }
            char c = value.charAt(i);
            text.append(c < ' ' || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return text.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
