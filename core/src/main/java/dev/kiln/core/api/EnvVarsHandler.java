package dev.kiln.core.api;

import java.util.Set;
import java.util.regex.Pattern;

import dev.kiln.core.KilnException;
import dev.kiln.core.pipeline.Redactor;
import dev.kiln.core.store.EnvVarStore;
import dev.kiln.core.store.EnvVarStore.EnvVar;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /projects/{id}/env-vars}: a project's build variables one by one; secret values never shown. */
final class EnvVarsHandler {

    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int MAX_KEY = 256;
    private static final int MAX_VALUE = 64 * 1024;

    private final ProjectsHandler projects;
    private final EnvVarStore vars;

    EnvVarsHandler(ProjectsHandler projects, EnvVarStore vars) {
        this.projects = projects;
        this.vars = vars;
    }

    void mount(Router router) {
        router.get("/projects/:projectId/env-vars").handler(this::list);
        router.post("/projects/:projectId/env-vars").handler(this::create);
        router.patch("/projects/:projectId/env-vars/:varId").handler(this::update);
        router.delete("/projects/:projectId/env-vars/:varId").handler(this::delete);
    }

    private void list(RoutingContext context) {
        projects.readable(context)
                .compose(project -> vars.list(project.id()))
                .onSuccess(list -> {
                    JsonArray items = new JsonArray();
                    list.forEach(envVar -> items.add(view(envVar)));
                    Responses.data(context, 200, items);
                })
                .onFailure(context::fail);
    }

    private void create(RoutingContext context) {
        JsonObject body = Requests.body(context, false);
        checkFields(body, Set.of("key", "value", "is_secret"));
        Object key = body.getValue("key");
        if (!(key instanceof String text) || text.length() > MAX_KEY || !KEY.matcher(text).matches()) {
            throw KilnException.invalid("key", "must be a name of letters, digits and underscores not starting with a digit "
                    + "([A-Za-z_][A-Za-z0-9_]*, at most " + MAX_KEY + " characters)");
        }
        String value = value(body.getValue("value"), true);
        boolean secret = secret(body.getValue("is_secret"), false);
        projects.writable(context)
                .compose(project -> vars.create(project.id(), (String) key, value, secret))
                .onSuccess(created -> Responses.data(context, 201, view(created)))
                .onFailure(context::fail);
    }

    private void update(RoutingContext context) {
        JsonObject body = Requests.body(context, false);
        checkFields(body, Set.of("value", "is_secret"));
        long id = Requests.pathId(context, "varId", "environment variable");
        String value = body.containsKey("value") ? value(body.getValue("value"), true) : null;
        Boolean secret = body.containsKey("is_secret") ? secret(body.getValue("is_secret"), false) : null;
        projects.writable(context)
                .compose(project -> vars.update(project.id(), id, value, secret))
                .onSuccess(updated -> Responses.data(context, 200, view(updated)))
                .onFailure(context::fail);
    }

    private void delete(RoutingContext context) {
        long id = Requests.pathId(context, "varId", "environment variable");
        projects.writable(context)
                .compose(project -> vars.delete(project.id(), id))
                .onSuccess(v -> context.response().setStatusCode(204).end())
                .onFailure(context::fail);
    }

    private static void checkFields(JsonObject body, Set<String> allowed) {
        for (String field : body.fieldNames()) {
            if (!allowed.contains(field)) {
                throw KilnException.invalid(field, "unknown field; an environment variable takes " + allowed.stream().sorted().toList());
            }
        }
    }

    private static String value(Object value, boolean required) {
        if (!(value instanceof String text)) {
            throw KilnException.invalid("value", required && value == null ? "is required" : "must be a string");
        }
        if (text.length() > MAX_VALUE) {
            throw KilnException.invalid("value", "must be at most " + MAX_VALUE + " characters");
        }
        return text;
    }

    private static boolean secret(Object value, boolean fallback) {
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean flag)) {
            throw KilnException.invalid("is_secret", "must be true or false");
        }
        return flag;
    }

    static JsonObject view(EnvVar envVar) {
        JsonObject view = new JsonObject()
                .put("id", envVar.id())
                .put("project_id", envVar.projectId())
                .put("key", envVar.key())
                .put("value", envVar.secret() ? Redactor.MASK : envVar.value())
                .put("is_secret", envVar.secret())
                .put("created_at", Responses.timestamp(envVar.createdAt()))
                .put("updated_at", Responses.timestamp(envVar.updatedAt()));
        if (envVar.secret() && !Redactor.tooShort(java.util.Map.of(envVar.key(), envVar.value())).isEmpty()) {
            view.put("warning", "values shorter than " + Redactor.MIN_LENGTH + " characters are not masked in build logs");
        }
        return view;
    }
}
