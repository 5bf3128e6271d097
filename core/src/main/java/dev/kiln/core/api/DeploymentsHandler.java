package dev.kiln.core.api;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.FileTrees;
import dev.kiln.core.KilnException;
import dev.kiln.core.git.CommitInfo;
import dev.kiln.core.git.GitException;
import dev.kiln.core.git.GitMirrors;
import dev.kiln.core.pipeline.BuilderDetection;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.ProjectStore;
import java.nio.file.Path;
import dev.kiln.core.pipeline.DeploymentRules;
import dev.kiln.core.pipeline.Dispatcher;
import dev.kiln.core.pipeline.LiveLogs;
import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.Project;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /projects/{id}/deployments}: list, read, logs, trigger, cancel, roll back. */
final class DeploymentsHandler {

    private final Vertx vertx;
    private final ProjectsHandler projects;
    private final DeploymentStore deployments;
    private final GitMirrors git;
    private final Views views;
    private final PublicUrls urls;
    private final ProjectStore projectStore;
    private final PluginHost plugins;
    private final Path scratchDirectory;

    DeploymentsHandler(Vertx vertx, ProjectsHandler projects, DeploymentStore deployments, GitMirrors git, Views views, PublicUrls urls,
                       ProjectStore projectStore, PluginHost plugins, Path scratchDirectory) {
        this.vertx = vertx;
        this.projectStore = projectStore;
        this.plugins = plugins;
        this.scratchDirectory = scratchDirectory;
        this.projects = projects;
        this.deployments = deployments;
        this.git = git;
        this.views = views;
        this.urls = urls;
    }

    void mount(Router router) {
        router.get("/projects/:projectId/deployments").handler(this::list);
        router.post("/projects/:projectId/deployments").handler(this::trigger);
        router.get("/projects/:projectId/deployments/:deploymentId").handler(this::get);
        router.get("/projects/:projectId/deployments/:deploymentId/logs").handler(this::logs);
        router.post("/projects/:projectId/deployments/:deploymentId/cancel").handler(this::cancel);
        router.post("/projects/:projectId/deployments/:deploymentId/rollback").handler(this::rollback);
    }

    /** A deployment and its project. */
    record Found(Project project, Deployment deployment) {
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
        readable(context)
                .onSuccess(found -> Responses.data(context, 200, views.deployment(found.deployment(), found.project())))
                .onFailure(context::fail);
    }

    private void logs(RoutingContext context) {
        readable(context)
                .compose(found -> deployments.logText(found.deployment().id()).map(text -> new JsonObject()
                        .put("deployment_id", found.deployment().id())
                        .put("status", found.deployment().status().wireName())
                        .put("build_logs", text)
                        .put("error_message", found.deployment().errorMessage())))
                .onSuccess(body -> Responses.data(context, 200, body))
                .onFailure(context::fail);
    }

    private void trigger(RoutingContext context) {
        JsonObject body = Requests.body(context, true);
        for (String field : body.fieldNames()) {
            if (!field.equals("branch")) {
                throw KilnException.invalid(field, "unknown field; the body may only name a 'branch'");
            }
        }
        projects.writable(context)
                .compose(project -> {
                    String branch = ProjectRequests.branchOr(body, "branch", project.settings().defaultBranch());
                    return vertx.<Resolved>executeBlocking(() -> resolve(project, branch), false)
                            .compose(resolved -> (resolved.framework() == null ? Future.<Void>succeededFuture()
                                    : projectStore.setDetectedFramework(project.id(), resolved.framework()))
                                    .compose(done -> deployments.create(project, branch, new DeploymentStore.Commit(
                                            resolved.commit().sha(), resolved.commit().message(), resolved.commit().author()),
                                            resolved.builder())))
                            .map(deployment -> {
                                vertx.eventBus().publish(Dispatcher.WORK_ADDRESS, null);
                                return views.deployment(deployment, project);
                            });
                })
                .onSuccess(view -> Responses.data(context, 201, view))
                .onFailure(context::fail);
    }

    /** The commit to build and the builder to build it with. */
    private record Resolved(CommitInfo commit, String builder, String framework) {
    }

    private Resolved resolve(Project project, String branch) {
        String mirror = "project-" + project.id();
        try {
            CommitInfo commit = git.fetchBranch(mirror, project.settings().repoUrl(), branch);
            String configured = project.settings().builder();
            if (configured != null) {
                // A builder that is installed (so on every node) but whose tools some nodes lack waits
                // for a capable node; one that is not installed or is disabled fails at once with why,
                // so the job is left open to any node.
                return new Resolved(commit, plugins.builder(configured).isPresent() ? configured : null, null);
            }
            // Detect now, so the queue can send the build to a node that has this builder's tools.
            Path scratch = scratchDirectory.resolve("detect-" + java.util.UUID.randomUUID());
            try {
                git.export(mirror, project.settings().repoUrl(), branch, commit.sha(), scratch);
                String root = project.settings().rootDirectory();
                Path source = root == null ? scratch : scratch.resolve(root).normalize();
                return BuilderDetection.detect(plugins, source, warning -> { })
                        .map(found -> new Resolved(commit, found.builderId(), found.detection().framework()))
                        .orElse(new Resolved(commit, null, null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KilnException(ErrorCode.UNAVAILABLE, "interrupted while detecting the builder");
            } finally {
                FileTrees.delete(scratch);
            }
        } catch (GitException e) {
            throw switch (e.kind()) {
                case UNKNOWN_BRANCH -> KilnException.invalid("branch", e.getMessage());
                case INVALID_URL -> KilnException.invalid("repo_url", e.getMessage());
                case IO -> new KilnException(ErrorCode.INTERNAL_ERROR, "could not update the local mirror: " + e.getMessage());
                default -> new KilnException(ErrorCode.UPSTREAM_ERROR, e.getMessage());
            };
        }
    }

    private void cancel(RoutingContext context) {
        writable(context)
                .compose(found -> deployments.cancel(found.project().id(), found.deployment().id()).map(cancelled -> {
                    if (cancelled.runningOn() != null) {
                        vertx.eventBus().publish(Dispatcher.CANCEL_ADDRESS, found.deployment().id());
                    }
                    LiveLogs.publishEnd(vertx, found.deployment().id(), cancelled.deployment().status().wireName());
                    return views.deployment(cancelled.deployment(), found.project());
                }))
                .onSuccess(view -> Responses.data(context, 200, view))
                .onFailure(context::fail);
    }

    private void rollback(RoutingContext context) {
        writable(context)
                .compose(found -> {
                    DeploymentRules.checkMayGoLive(found.project(), found.deployment());
                    return Future.succeededFuture(found);
                })
                .compose(found -> deployments.rollback(found.project().id(), found.deployment().id(),
                                urls.deploymentUrl(found.project().slug(), found.deployment().id()),
                                urls.logsUrl(found.project().id(), found.deployment().id()))
                        .compose(deployment -> projects.readable(context)
                                .map(project -> views.deployment(deployment, project))))
                .onSuccess(view -> Responses.data(context, 200, view))
                .onFailure(context::fail);
    }
}
