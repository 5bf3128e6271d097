package dev.kiln.core.api;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.store.NotificationStore;
import dev.kiln.core.store.NotificationStore.DeliveryWithAttempts;
import dev.kiln.core.store.NotificationStore.Subscription;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /projects/{id}/notifications}: subscriptions to deployment events and their deliveries. */
final class NotificationsHandler {

    /** The events a subscription may ask for, in the order the API lists them. */
    static final List<String> EVENTS = List.of("deployment.started", "deployment.succeeded", "deployment.failed",
            "deployment.cancelled", "deployment.promoted");
    private static final Set<String> FORMATS = Set.of("json", "slack");
    private static final Set<String> FIELDS = Set.of("url", "events", "secret", "format");
    private static final int MAX_URL = 2000;
    private static final int MAX_SECRET = 256;

    private final ProjectsHandler projects;
    private final NotificationStore store;
    private final boolean allowLocal;

    NotificationsHandler(ProjectsHandler projects, NotificationStore store, boolean allowLocal) {
        this.projects = projects;
        this.store = store;
        this.allowLocal = allowLocal;
    }

    void mount(Router router) {
        router.get("/projects/:projectId/notifications").handler(this::list);
        router.post("/projects/:projectId/notifications").handler(this::create);
        router.delete("/projects/:projectId/notifications/:notificationId").handler(this::delete);
        router.get("/projects/:projectId/notifications/:notificationId/deliveries").handler(this::deliveries);
    }

    private void list(RoutingContext context) {
        projects.readable(context)
                .compose(project -> store.list(project.id()))
                .onSuccess(found -> {
                    JsonArray items = new JsonArray();
                    found.forEach(subscription -> items.add(view(subscription)));
                    Responses.data(context, 200, items);
                })
                .onFailure(context::fail);
    }

    private void create(RoutingContext context) {
        JsonObject body = Requests.body(context, false);
        for (String field : body.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw KilnException.invalid(field, "unknown field; a notification has 'url', 'events', 'secret' and 'format'");
            }
        }
        String url = url(body.getValue("url"), Auth.token(context).admin() || allowLocal);
        List<String> events = events(body.getValue("events"));
        String format = text(body.getValue("format"), "format", 10);
        if (format == null) {
            format = "json";
        } else if (!FORMATS.contains(format)) {
            throw KilnException.invalid("format", "must be 'json' or 'slack', got '" + format + "'");
        }
        String secret = text(body.getValue("secret"), "secret", MAX_SECRET);
        if (secret != null && secret.isEmpty()) {
            throw KilnException.invalid("secret", "must not be empty; leave it out for unsigned deliveries");
        }
        String chosenFormat = format;
        projects.writable(context)
                .compose(project -> store.create(project.id(), url, events, chosenFormat, secret))
                .onSuccess(created -> Responses.data(context, 201, view(created)))
                .onFailure(context::fail);
    }

    private void delete(RoutingContext context) {
        long id = Requests.pathId(context, "notificationId", "notification");
        projects.writable(context)
                .compose(project -> store.delete(project.id(), id))
                .onSuccess(deleted -> {
                    if (deleted) {
                        context.response().setStatusCode(204).end();
                    } else {
                        context.fail(KilnException.notFound("notification " + id));
                    }
                })
                .onFailure(context::fail);
    }

    private void deliveries(RoutingContext context) {
        long id = Requests.pathId(context, "notificationId", "notification");
        var paging = Requests.paging(context);
        projects.readable(context)
                .compose(project -> store.find(project.id(), id))
                .compose(found -> found.isEmpty() ? Future.failedFuture(KilnException.notFound("notification " + id))
                        : store.deliveries(id, paging.page(), paging.perPage()))
                .onSuccess(page -> {
                    JsonArray items = new JsonArray();
                    page.items().forEach(delivery -> items.add(view(delivery)));
                    Responses.page(context, page, items);
                })
                .onFailure(context::fail);
    }

    private static JsonObject view(Subscription subscription) {
        return new JsonObject()
                .put("id", subscription.id())
                .put("project_id", subscription.projectId())
                .put("url", subscription.url())
                .put("events", new JsonArray(subscription.events()))
                .put("format", subscription.format())
                .put("has_secret", subscription.secret() != null)
                .put("created_at", Responses.timestamp(subscription.createdAt()));
    }

    private static JsonObject view(DeliveryWithAttempts item) {
        var delivery = item.delivery();
        JsonArray attempts = new JsonArray();
        item.attempts().forEach(attempt -> attempts.add(new JsonObject()
                .put("attempted_at", Responses.timestamp(attempt.attemptedAt()))
                .put("response_status", attempt.responseStatus())
                .put("error", attempt.error())
                .put("duration_ms", attempt.durationMillis())));
        return new JsonObject()
                .put("id", delivery.id())
                .put("event", delivery.event())
                .put("deployment_id", delivery.deploymentId())
                .put("status", delivery.status())
                .put("attempts", attempts)
                .put("next_attempt_at", "pending".equals(delivery.status()) ? Responses.timestamp(delivery.nextAttemptAt()) : null)
                .put("created_at", Responses.timestamp(delivery.createdAt()))
                .put("finished_at", Responses.timestamp(delivery.finishedAt()));
    }

    private static String url(Object value, boolean mayBeLocal) {
        if (!(value instanceof String text) || text.isBlank()) {
            throw KilnException.invalid("url", "is required: the http:// or https:// address events are posted to");
        }
        if (text.length() > MAX_URL || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw KilnException.invalid("url", "must be at most " + MAX_URL + " characters, without control characters");
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw KilnException.invalid("url", "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw KilnException.invalid("url", "must be an absolute http:// or https:// URL with a host and no user name");
        }
        if (!mayBeLocal && isLocal(uri.getHost())) {
            throw new KilnException(ErrorCode.VALIDATION_ERROR, "url: loopback and private addresses are accepted only from admin tokens");
        }
        return uri.toString();
    }

    /** Loopback, private and link-local literals and {@code localhost}; names are not resolved here. */
    static boolean isLocal(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.endsWith(".localhost")) {
            return true;
        }
        String literal = lower.startsWith("[") && lower.endsWith("]") ? lower.substring(1, lower.length() - 1) : lower;
        if (!literal.matches("[0-9.]+") && !literal.contains(":")) {
            return false;
        }
        try {
            InetAddress address = InetAddress.getByName(literal);
            return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                    || address.isAnyLocalAddress() || (address.getAddress().length == 16 && (address.getAddress()[0] & 0xfe) == 0xfc);
        } catch (UnknownHostException e) {
            return true;
        }
    }

    private static List<String> events(Object value) {
        if (value == null) {
            return EVENTS;
        }
        if (!(value instanceof JsonArray array) || array.isEmpty()) {
            throw KilnException.invalid("events", "must be a non-empty array of event names: " + String.join(", ", EVENTS));
        }
        List<String> chosen = new ArrayList<>();
        for (Object item : array) {
            if (!(item instanceof String name) || !EVENTS.contains(name)) {
                throw KilnException.invalid("events", "unknown event " + item + "; events are " + String.join(", ", EVENTS));
            }
            if (!chosen.contains(name)) {
                chosen.add(name);
            }
        }
        return List.copyOf(chosen);
    }

    private static String text(Object value, String field, int max) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text) || text.length() > max || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw KilnException.invalid(field, "must be a string of at most " + max + " characters without control characters");
        }
        return text;
    }
}
