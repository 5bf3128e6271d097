package dev.kiln.core.api;

import java.util.List;

import dev.kiln.core.KilnException;
import dev.kiln.core.pipeline.DeploymentService;
import dev.kiln.core.pipeline.PlainText;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.Project;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /projects/{id}/deployments}: list, read, logs, trigger, cancel, roll back, promote. */
final class DeploymentsHandler {

    private final ProjectsHandler projects;
    private final DeploymentStore deployments;
    private final DeploymentService service;
    private final Views views;

    DeploymentsHandler(ProjectsHandler projects, DeploymentStore deployments, DeploymentService service, Views views) {
        this.projects = projects;
        this.deployments = deployments;
        this.service = service;
        this.views = views;
    }

    void mount(Router router) {
        router.get("/projects/:projectId/deployments").handler(this::list);
        router.post("/projects/:projectId/deployments").handler(this::trigger);
        router.get("/projects/:projectId/deployments/:deploymentId").handler(this::get);
        router.get("/projects/:projectId/deployments/:deploymentId/logs").handler(this::logs);
        router.post("/projects/:projectId/deployments/:deploymentId/cancel").handler(this::cancel);
        router.post("/projects/:projectId/deployments/:deploymentId/rollback").handler(this::rollback);
        router.post("/projects/:projectId/deployments/:deploymentId/promote").handler(this::promote);
    }

    /** A deployment and its project. */
    record Found(Project project, Deployment deployment) {
    }

    /** A deployment, its stored log, and whether it is asked for as plain text. */
    private record FoundLog(Deployment deployment, String log, boolean text) {
    }

    Future<Found> readable(RoutingContext context) {
        return projects.readable(context).compose(project -> find(context, project));
    }

    private Future<Found> writable(RoutingContext context) {
        return projects.writable(context).compose(project -> find(context, project));
    }

    private Future<Found> find(RoutingContext context, Project project) {
        long deploymentId = Requests.pathId(context, "deploymentId", "deployment");
        return deployments.find(project.id(), deploymentId).compose(found -> found
                .map(deployment -> Future.succeededFuture(new Found(project, deployment)))
                .orElseGet(() -> Future.failedFuture(KilnException.notFound("deployment " + deploymentId + " of project " + project.id()))));
    }

    private void list(RoutingContext context) {
        var paging = Requests.paging(context);
        projects.readable(context)
                .compose(project -> deployments.list(project.id(), paging.page(), paging.perPage()).map(page -> {
                    JsonArray items = new JsonArray();
                    page.items().forEach(deployment -> items.add(views.deployment(deployment, project)));
                    Responses.page(context, page, items);
                    return page;
                }))
                .onFailure(context::fail);
    }

    private void get(RoutingContext context) {
        // The project is read again after the deployment: a deployment read as deployed then comes
        // with the project its promotion committed with, so `active` never lags behind `status`.
        readable(context)
                .compose(found -> projects.readable(context).map(project -> new Found(project, found.deployment())))
                .onSuccess(found -> Responses.data(context, 200, views.deployment(found.deployment(), found.project())))
                .onFailure(context::fail);
    }

    private void logs(RoutingContext context) {
        // Access first: a token that cannot see the deployment learns nothing from its format's errors.
        readable(context)
                .compose(found -> {
                    boolean text = logFormat(context);
                    return deployments.logText(found.deployment().id()).map(log -> new FoundLog(found.deployment(), log, text));
                })
                .onSuccess(found -> {
                    if (found.text()) {
                        // The stored log keeps the tools' colours for the dashboard; a reader of plain text wants none.
                        String plain = PlainText.of(found.log());
                        context.response().setStatusCode(200).putHeader("Content-Type", Responses.TEXT)
                                .end(plain.isEmpty() ? "" : plain + "\n");
                    } else {
                        Responses.data(context, 200, new JsonObject()
                                .put("deployment_id", found.deployment().id())
                                .put("status", found.deployment().status().wireName())
                                .put("build_logs", found.log())
                                .put("error_message", found.deployment().errorMessage()));
                    }
                })
                .onFailure(context::fail);
    }

    /** Whether {@code ?format=text} asks for the plain log; {@code json} or no format is the envelope. */
    private static boolean logFormat(RoutingContext context) {
        List<String> formats = context.queryParam("format");
        if (formats.isEmpty()) {
            return false;
        }
        if (formats.size() == 1 && (formats.get(0).equals("json") || formats.get(0).equals("text"))) {
            return formats.get(0).equals("text");
        }
        throw KilnException.invalid("format", "must be 'json' (the default) or 'text', given once; got '"
                + Requests.printable(String.join(",", formats), 80) + "'");
    }

    private void trigger(RoutingContext context) {
        JsonObject body = Requests.body(context, true);
        for (String field : body.fieldNames()) {
            if (!field.equals("branch")) {
                throw KilnException.invalid(Requests.printable(field, 80), "unknown field; the body may only name a 'branch'");
            }
        }
        projects.writable(context)
                .compose(project -> service.trigger(project, ProjectRequests.branchOr(body, "branch", project.settings().defaultBranch()))
                        .map(deployment -> views.deployment(deployment, project)))
                .onSuccess(view -> Responses.data(context, 201, view))
                .onFailure(context::fail);
    }

    private void cancel(RoutingContext context) {
        Requests.noParameters(context, "cancel");
        writable(context)
                .compose(found -> service.cancel(found.project(), found.deployment().id())
                        .map(cancelled -> views.deployment(cancelled, found.project())))
                .onSuccess(view -> Responses.data(context, 200, view))
                .onFailure(context::fail);
    }

    private void rollback(RoutingContext context) {
        Requests.noParameters(context, "rollback");
        writable(context)
                .compose(found -> service.rollback(found.project(), found.deployment().id())
                        .compose(deployment -> answer(found.project(), deployment)))
                .onSuccess(view -> Responses.data(context, 200, view))
                .onFailure(context::fail);
    }

    private void promote(RoutingContext context) {
        writable(context)
                .compose(found -> service.promote(found.project(), found.deployment().id())
                        .compose(deployment -> answer(found.project(), deployment)))
                .onSuccess(view -> Responses.data(context, 200, view))
                .onFailure(context::fail);
    }

    /** The deployment as seen with the project as it is now (active, pinned). */
    private Future<JsonObject> answer(Project project, Deployment deployment) {
        return projects.reload(project).map(current -> views.deployment(deployment, current));
    }
}
