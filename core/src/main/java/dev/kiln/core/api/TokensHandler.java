package dev.kiln.core.api;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.core.KilnException;
import dev.kiln.core.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /tokens}, for admin tokens only. */
final class TokensHandler {

    private final TokenStore tokens;

    TokensHandler(TokenStore tokens) {
        this.tokens = tokens;
    }

    void mount(Router router) {
        router.post("/tokens").handler(this::create);
        router.get("/tokens").handler(this::list);
        // Any token may read itself: which projects it reaches and whether it is an admin's.
        router.get("/tokens/current").handler(context -> Responses.data(context, 200, Views.token(Auth.token(context))));
        router.delete("/tokens/:tokenId").handler(this::delete);
    }

    private void create(RoutingContext context) {
        Auth.requireAdmin(context);
        JsonObject body = Requests.body(context, false);
        for (String field : body.fieldNames()) {
            if (!field.equals("name") && !field.equals("project_ids")) {
                throw KilnException.invalid(Requests.printable(field, 80), "unknown field; a token has a 'name' and optional 'project_ids'");
            }
        }
        Object name = body.getValue("name");
        if (!(name instanceof String text) || text.isBlank() || text.length() > 100) {
            throw KilnException.invalid("name", "is required: a string of 1 to 100 characters");
        }
        Requests.singleLine("name", text, 100);
        List<Long> projectIds = null;
        Object ids = body.getValue("project_ids");
        if (ids != null) {
            if (!(ids instanceof JsonArray array)) {
                throw KilnException.invalid("project_ids", "must be an array of project ids");
            }
            projectIds = new ArrayList<>();
            for (Object id : array) {
                if (!(id instanceof Integer || id instanceof Long) || ((Number) id).longValue() < 1) {
                    throw KilnException.invalid("project_ids", "must be an array of positive whole numbers");
                }
                projectIds.add(((Number) id).longValue());
            }
        }
        tokens.create(((String) name).trim(), false, projectIds)
                .recover(error -> Future.failedFuture(error instanceof TokenStore.UnknownProjects unknown
                        ? KilnException.invalid("project_ids", "no project with id " + unknown.ids()) : error))
                .onSuccess(created -> Responses.data(context, 201, Views.token(created.token()).put("token", created.plain())))
                .onFailure(context::fail);
    }

    private void list(RoutingContext context) {
        Auth.requireAdmin(context);
        var paging = Requests.paging(context);
        tokens.list(paging.page(), paging.perPage())
                .onSuccess(page -> {
                    JsonArray items = new JsonArray();
                    page.items().forEach(token -> items.add(Views.token(token)));
                    Responses.page(context, page, items);
                })
                .onFailure(context::fail);
    }

    private void delete(RoutingContext context) {
        Auth.requireAdmin(context);
        long id = Requests.pathId(context, "tokenId", "token");
        tokens.delete(id)
                .onSuccess(deleted -> {
                    if (deleted) {
                        context.response().setStatusCode(204).end();
                    } else {
                        context.fail(KilnException.notFound("token " + id));
                    }
                })
                .onFailure(context::fail);
    }
}
