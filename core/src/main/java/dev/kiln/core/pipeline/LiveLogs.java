package dev.kiln.core.pipeline;

import dev.kiln.core.EventBusAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Live logs on the event bus ({@link EventBusAddresses#logs}): lines are published as {@code {"n": 1, "line": "..."}} and the
 * end of a deployment as {@code {"end": true, "status": "deployed"}}.
 */
public final class LiveLogs {

    private LiveLogs() {
    }

    /**
     * The address a deployment's lines are published on.
     *
     * @param deploymentId the deployment
     * @return the address
     */
    public static String address(long deploymentId) {
        return EventBusAddresses.logs(deploymentId);
    }

    /**
     * Tells followers on every node that a deployment reached a final state.
     *
     * @param vertx the Vert.x instance
     * @param deploymentId the deployment
     * @param status its final status
     */
    public static void publishEnd(Vertx vertx, long deploymentId, String status) {
        vertx.eventBus().publish(address(deploymentId), new JsonObject().put("end", true).put("status", status));
    }
}
