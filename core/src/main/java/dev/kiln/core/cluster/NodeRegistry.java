package dev.kiln.core.cluster;

import java.util.List;
import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.EventBusAddresses;
import dev.kiln.core.store.DeploymentStore.LogLine;
import dev.kiln.core.store.LogStore;
import dev.kiln.core.store.NodeStore;
import dev.kiln.core.store.WorkQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Keeps this node's entry in the nodes table fresh, and reacts when another node goes: its
 * leases are released at once (not when they run out) and the other nodes are woken to take
 * its work. Also tells waiting deployments why no node takes them.
 */
public final class NodeRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);
    private static final long HEARTBEAT_MILLIS = 1_000;
    private static final long SWEEP_MILLIS = 2_000;

    private final Vertx vertx;
    private final NodeStore nodes;
    private final WorkQueue queue;
    private final LogStore logs;
    private final String nodeId;
    private final IntSupplier busy;
    private long heartbeatTimer = -1;
    private long sweepTimer = -1;

    /**
     * A registry for this node.
     *
     * @param vertx the Vert.x instance
     * @param nodes the nodes table
     * @param queue the work queue
     * @param logs deployment logs
     * @param nodeId this node
     * @param busy how many builds this node runs now
     */
    public NodeRegistry(Vertx vertx, NodeStore nodes, WorkQueue queue, LogStore logs, String nodeId, IntSupplier busy) {
        this.vertx = vertx;
        this.nodes = nodes;
        this.queue = queue;
        this.logs = logs;
        this.nodeId = nodeId;
        this.busy = busy;
    }

    /**
     * Registers this node and starts its heartbeat.
     *
     * @param self this node's entry
     * @return done
     */
    public Future<Void> start(NodeStore.Node self) {
        return nodes.join(self).onSuccess(done -> {
            heartbeatTimer = vertx.setPeriodic(HEARTBEAT_MILLIS, id -> nodes.heartbeat(nodeId, busy.getAsInt()));
            sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
            // Work that waited for a node like this one can start now.
            vertx.eventBus().publish(EventBusAddresses.WORK, null);
        });
    }

    /**
     * Called when the cluster reports that a node left (from any thread).
     *
     * @param left the Kiln node id
     */
    public void nodeLeft(String left) {
        if (left.equals(nodeId)) {
            return;
        }
        vertx.runOnContext(ignored -> takeOver(left, "node " + left + " left the cluster"));
    }

    private Future<Void> takeOver(String left, String reason) {
        return nodes.markLeft(left, reason)
                .compose(marked -> queue.releaseAll(left, reason))
                .onSuccess(released -> {
                    if (released > 0) {
                        LOG.info("{}: re-queued {} deployment(s) it was running", reason, released);
                        vertx.eventBus().publish(EventBusAddresses.WORK, null);
                    }
                })
                .onFailure(error -> LOG.warn("Could not take over from {}: {}", left, error.getMessage()))
                .mapEmpty();
    }

    private void sweep() {
        // A node that stopped sending heartbeats without the cluster noticing (or a standalone
        // node sharing the database) is taken over too.
        nodes.stale(nodeId).onSuccess(stale -> stale.forEach(id ->
                takeOver(id, "node " + id + " stopped sending heartbeats")));
        nodes.liveBuilders()
                .compose(queue::unrunnable)
                .onSuccess(waiting -> waiting.forEach(job -> {
                    String reason = "no node can run builder '" + job.builder() + "' (not installed, or its tools are missing); "
                            + "waiting for such a node to join";
                    queue.setWaitReason(job.deploymentId(), reason).onSuccess(changed -> {
                        if (changed) {
                            logs.lastLine(job.deploymentId()).compose(last -> logs.append(job.deploymentId(),
                                    List.of(new LogLine(last + 1, "[kiln] " + reason))));
                        }
                    });
                }));
    }

    /**
     * Marks this node gone. Called when it stops.
     *
     * @return done
     */
    public Future<Void> stop() {
        vertx.cancelTimer(heartbeatTimer);
        vertx.cancelTimer(sweepTimer);
        return nodes.markLeft(nodeId, "node " + nodeId + " was stopped").mapEmpty();
    }
}
