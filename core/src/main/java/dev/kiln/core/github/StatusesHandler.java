package dev.kiln.core.github;

import dev.kiln.core.github.Locators.Locator;
import dev.kiln.core.store.StatusStore;
import dev.kiln.core.store.StatusStore.Creator;
import dev.kiln.core.store.StatusStore.NewStatus;
import dev.kiln.core.store.TokenStore.Token;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** List, create and get deployment statuses, as GitHub's REST API does, on one path set. */
final class StatusesHandler {

    static final String LIST_DOCS = "https://docs.github.com/rest/deployments/statuses#list-deployment-statuses";
    static final String CREATE_DOCS = "https://docs.github.com/rest/deployments/statuses#create-a-deployment-status";
    static final String GET_DOCS = "https://docs.github.com/rest/deployments/statuses#get-a-deployment-status";

    private final Locator locator;
    private final StatusStore statuses;
    private final StatusViews views;

    StatusesHandler(Locator locator, StatusStore statuses, StatusViews views) {
        this.locator = locator;
        this.statuses = statuses;
        this.views = views;
    }

    /**
     * Adds the three operations.
     *
     * @param router the router
     * @param deploymentPath the deployment's path pattern, with a {@code :deploymentId} parameter
     */
    void mount(Router router, String deploymentPath) {
        router.get(deploymentPath + "/statuses").handler(this::list);
        router.post(deploymentPath + "/statuses").handler(this::create);
        router.get(deploymentPath + "/statuses/:statusId").handler(this::get);
    }

    private void list(RoutingContext context) {
        GithubErrors.documentedAt(context, LIST_DOCS);
        GithubPaging paging = GithubPaging.of(context);
        locator.find(context, false)
                .compose(target -> statuses.list(target.deployment().id(), paging.page(), paging.perPage()).map(page -> {
                    JsonArray items = new JsonArray();
                    page.items().forEach(status -> items.add(views.status(status, target)));
                    String link = GithubPaging.link(target.statusesUrl(), context.request().query(), page);
                    if (link != null) {
                        context.response().putHeader("Link", link);
                    }
                    return items;
                }))
                .onSuccess(items -> context.response().setStatusCode(200).putHeader("Content-Type", GithubErrors.JSON)
                        .end(items.encode()))
                .onFailure(context::fail);
    }

    private void create(RoutingContext context) {
        GithubErrors.documentedAt(context, CREATE_DOCS);
        JsonObject body = StatusRequest.object(context.body().buffer());
        Token token = GithubAuth.token(context);
        locator.find(context, true)
                .compose(target -> {
                    NewStatus status = StatusRequest.status(body, new Creator(token.name(), token.id()));
                    return statuses.create(target.deployment().id(), status).map(created -> views.status(created, target));
                })
                .onSuccess(view -> context.response().setStatusCode(201).putHeader("Content-Type", GithubErrors.JSON)
                        .putHeader("Location", view.getString("url"))
                        .end(view.encode()))
                .onFailure(context::fail);
    }

    private void get(RoutingContext context) {
        GithubErrors.documentedAt(context, GET_DOCS);
        locator.find(context, false)
                .compose(target -> {
                    long statusId = Locators.pathId(context, "statusId");
                    return statuses.find(target.deployment().id(), statusId).map(found -> found
                            .map(status -> views.status(status, target))
                            .orElseThrow(GithubError::notFound));
                })
                .onSuccess(view -> context.response().setStatusCode(200).putHeader("Content-Type", GithubErrors.JSON)
                        .end(view.encode()))
                .onFailure(context::fail);
    }
}
