package dev.kiln.core.api;

import java.time.Duration;

import dev.kiln.core.store.PhaseStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /projects/{id}/deployments/{deployment_id}/phases}: the statuses the deployment passed
 * through with when each began and how long it lasted (the current or final one has no end yet).
 */
final class PhasesHandler {

    private final DeploymentsHandler deployments;
    private final PhaseStore phases;

    PhasesHandler(DeploymentsHandler deployments, PhaseStore phases) {
        this.deployments = deployments;
        this.phases = phases;
    }

    void mount(Router router) {
        router.get("/projects/:projectId/deployments/:deploymentId/phases").handler(this::list);
    }

    private void list(RoutingContext context) {
        deployments.readable(context)
                .compose(found -> phases.phases(found.deployment().id()))
                .onSuccess(list -> {
                    JsonArray items = new JsonArray();
                    list.forEach(phase -> items.add(new JsonObject()
                            .put("status", phase.status())
                            .put("attempt", phase.attempt())
                            .put("node", phase.node())
                            .put("reason", phase.reason())
                            .put("started_at", Responses.timestamp(phase.startedAt()))
                            .put("ended_at", Responses.timestamp(phase.endedAt()))
                            .put("duration_ms", phase.endedAt() == null ? null
                                    : Duration.between(phase.startedAt(), phase.endedAt()).toMillis())));
                    Responses.data(context, 200, items);
                })
                .onFailure(context::fail);
    }
}
