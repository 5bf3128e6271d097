package dev.kiln.core.api;

import java.security.SecureRandom;
import java.util.HexFormat;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.pipeline.DeploymentService;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.ProjectSettings;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.TokenStore.Token;
import dev.kiln.core.store.TriggerSettings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /projects}: create, list, read, change, delete, webhook secret. */
final class ProjectsHandler {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ProjectStore projects;
    private final ProjectRequests requests;
    private final Views views;
    private final DeploymentService service;

    ProjectsHandler(ProjectStore projects, PluginHost plugins, DeploymentService service, Views views) {
        this.projects = projects;
        this.requests = new ProjectRequests(plugins);
        this.views = views;
        this.service = service;
    }

    void mount(Router router) {
        router.post("/projects").handler(this::create);
        router.get("/projects").handler(this::list);
        router.get("/projects/:projectId").handler(this::get);
        router.patch("/projects/:projectId").handler(this::update);
        router.delete("/projects/:projectId").handler(this::delete);
        router.delete("/projects/:projectId/cache").handler(this::clearCache);
        router.post("/projects/:projectId/webhook-secret").handler(this::newWebhookSecret);
    }

    /** The project as stored now. */
    Future<Project> reload(Project project) {
        return projects.find(project.id()).map(found -> found.orElse(project));
    }

    /** Loads a project the caller may read, or fails with 404. */
    Future<Project> readable(RoutingContext context) {
        long id = Requests.pathId(context, "projectId", "project");
        Auth.checkRead(context, id);
        return projects.find(id).compose(found -> found
                .map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(KilnException.notFound("project " + id))));
    }

    /** Loads a project the caller may change: 403 for a project it cannot use, 404 for none. */
    Future<Project> writable(RoutingContext context) {
        long id = Requests.pathId(context, "projectId", "project");
        if (Auth.token(context).canAccess(id)) {
            return projects.find(id).compose(found -> found
                    .map(Future::succeededFuture)
                    .orElseGet(() -> Future.failedFuture(KilnException.notFound("project " + id))));
        }
        Auth.checkWrite(context, id);
        throw new IllegalStateException("unreachable");
    }

    private void create(RoutingContext context) {
        Token token = Auth.token(context);
        if (!token.admin() && token.projectIds() != null) {
            throw new KilnException(ErrorCode.FORBIDDEN, "this token is limited to some projects and cannot create new ones");
        }
        JsonObject body = Requests.body(context, false);
        var settings = requests.create(body);
        var triggers = requests.triggers(body, TriggerSettings.DEFAULT);
        // No default_branch: the remote's own default branch (its HEAD), or "main" for an empty repository.
        // The remote is checked first: a token that may not use it does not get Kiln to contact it.
        checkRemote(context, settings.repoUrl(), null)
                .compose(v -> body.getValue("default_branch") != null
                        ? Future.succeededFuture(settings)
                        : service.remoteDefaultBranch(settings.repoUrl()).map(head -> head.map(settings::withDefaultBranch).orElse(settings)))
                .compose(withBranch -> projects.create(withBranch, triggers))
                .onSuccess(project -> Responses.data(context, 201, views.project(project)))
                .onFailure(context::fail);
    }

    /** A new repository URL on this machine or its network: for admins only (DNS may answer slowly). */
    private Future<Void> checkRemote(RoutingContext context, String repoUrl, String current) {
        if (repoUrl.equals(current)) {
            return Future.succeededFuture();
        }
        boolean admin = Auth.token(context).admin();
        return service.remoteRefusal(repoUrl, admin)
                .compose(refusal -> refusal.isEmpty() ? Future.succeededFuture()
                        : Future.failedFuture(KilnException.invalid("repo_url", refusal.get())));
    }

    private void list(RoutingContext context) {
        var paging = Requests.paging(context);
        Token token = Auth.token(context);
        Long[] visible = token.admin() || token.projectIds() == null ? null : token.projectIds().toArray(Long[]::new);
        projects.list(paging.page(), paging.perPage(), visible)
                .onSuccess(page -> {
                    JsonArray items = new JsonArray();
                    page.items().forEach(project -> items.add(views.project(project)));
                    Responses.page(context, page, items);
                })
                .onFailure(context::fail);
    }

    private void get(RoutingContext context) {
        readable(context)
                .onSuccess(project -> Responses.data(context, 200, views.project(project)))
                .onFailure(context::fail);
    }

    private void update(RoutingContext context) {
        var body = Requests.body(context, false);
        writable(context)
                .compose(project -> {
                    var settings = requests.update(project.settings(), body);
                    return checkRemote(context, settings.repoUrl(), project.settings().repoUrl())
                            .compose(v -> projects.update(project.id(), settings, requests.triggers(body, project.triggers())));
                })
                .onSuccess(project -> Responses.data(context, 200, views.project(project)))
                .onFailure(context::fail);
    }

    private void delete(RoutingContext context) {
        writable(context)
                .compose(service::delete)
                .onSuccess(done -> context.response().setStatusCode(204).end())
                .onFailure(context::fail);
    }

    /** Empties the project's build cache on this node; the next build starts cold. */
    private void clearCache(RoutingContext context) {
        writable(context)
                .compose(service::clearCache)
                .onSuccess(done -> context.response().setStatusCode(204).end())
                .onFailure(context::fail);
    }

    /** A new secret for the project's webhook, shown only in this answer; the old one stops working. */
    private void newWebhookSecret(RoutingContext context) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        writable(context)
                .compose(project -> projects.setWebhookSecret(project.id(), secret).map(done -> project))
                .onSuccess(project -> Responses.data(context, 201, new JsonObject().put("secret", secret)
                        .put("webhook_url", views.webhookUrl(project))))
                .onFailure(context::fail);
    }
}
