package dev.kiln.core.api;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.pipeline.DeploymentService;
import dev.kiln.core.pipeline.DeploymentService.Outcome;
import dev.kiln.core.pipeline.DeploymentService.Trigger;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.WebhookDeliveries;
import dev.kiln.core.webhooks.Delivery;
import dev.kiln.core.webhooks.Payloads;
import dev.kiln.core.webhooks.SourceEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /hooks/{project id}}: deliveries from GitHub, Gitea/Forgejo and GitLab. No token:
 * the signature over the raw body (or GitLab's token header) is the credential.
 */
final class HooksHandler {

    private final ProjectStore projects;
    private final WebhookDeliveries deliveries;
    private final DeploymentService service;

    HooksHandler(ProjectStore projects, WebhookDeliveries deliveries, DeploymentService service) {
        this.projects = projects;
        this.deliveries = deliveries;
        this.service = service;
    }

    /** Mounts the route; the router must have read the body already. */
    void mount(Router router, String path) {
        router.post(path).handler(this::deliver);
    }

    private void deliver(RoutingContext context) {
        long projectId = Requests.pathId(context, "projectId", "project");
        Delivery delivery = Delivery.of(context.request()::getHeader).orElseThrow(() -> new KilnException(ErrorCode.BAD_REQUEST,
                "not a webhook delivery: no X-GitHub-Event, X-Gitea-Event (or X-Forgejo-Event) or X-Gitlab-Event header"));
        byte[] raw = context.body() == null || context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
        projects.find(projectId)
                .compose(found -> found.map(Future::succeededFuture)
                        .orElseGet(() -> Future.failedFuture(KilnException.notFound("project " + projectId))))
                .compose(project -> {
                    if (project.webhookSecret() == null) {
                        return Future.failedFuture(new KilnException(ErrorCode.UNAUTHORIZED, "project " + projectId
                                + " has no webhook secret yet; make one with POST /api/v1/public/projects/" + projectId + "/webhook-secret"));
                    }
                    if (!delivery.authentic(project.webhookSecret(), raw)) {
                        return Future.failedFuture(new KilnException(ErrorCode.UNAUTHORIZED, delivery.credential() == null
                                ? "the delivery is not signed; set the webhook's secret to the project's"
                                : "the delivery's signature does not match the project's webhook secret"));
                    }
                    SourceEvent event = read(context, delivery);
                    if (delivery.deliveryId() == null) {
                        return act(project, event);
                    }
                    return deliveries.remember(project.id(), delivery.deliveryId()).compose(fresh -> fresh
                            ? act(project, event).recover(error -> deliveries.forget(project.id(), delivery.deliveryId())
                                    .transform(forgotten -> Future.<Outcome>failedFuture(error)))
                            : Future.succeededFuture(Outcome.ignored("delivery " + delivery.deliveryId() + " was handled before")));
                })
                .onSuccess(outcome -> {
                    if (outcome.deployment() != null) {
                        Responses.data(context, 202, new JsonObject().put("deployment_id", outcome.deployment().id()));
                    } else if (outcome.removedPreview() != null) {
                        Responses.data(context, 200, new JsonObject().put("preview_removed", outcome.removedPreview()));
                    } else {
                        Responses.data(context, 200, new JsonObject().put("ignored", outcome.ignored()));
                    }
                })
                .onFailure(context::fail);
    }

    private static SourceEvent read(RoutingContext context, Delivery delivery) {
        JsonObject body = Requests.body(context, false);
        try {
            return Payloads.read(delivery, body);
        } catch (Payloads.Malformed e) {
            throw new KilnException(ErrorCode.BAD_REQUEST, "not a '" + delivery.event() + "' payload: " + e.getMessage());
        }
    }

    private Future<Outcome> act(Project project, SourceEvent event) {
        return switch (event.kind()) {
            case DEPLOY -> service.deployCommit(project, event.branch(), event.sha(), event.message(), Trigger.WEBHOOK);
            case REMOVE_PREVIEW -> service.removePreview(project, event.branch(), event.reason());
            case PING, IGNORED -> Future.succeededFuture(Outcome.ignored(event.reason()));
        };
    }
}
