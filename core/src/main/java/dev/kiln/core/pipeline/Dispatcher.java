package dev.kiln.core.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.EventBusAddresses;
import dev.kiln.core.store.DatabaseHealth;
import dev.kiln.core.store.WorkQueue;
import dev.kiln.core.store.WorkQueue.Claim;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Claims deployments from the durable queue while this node has a free executor and runs them.
 * It wakes at once when any node publishes on {@link EventBusAddresses#WORK}, and also checks on a timer
 * for work whose lease ran out. Cancel signals arrive on {@link EventBusAddresses#CANCEL}.
 */
public final class Dispatcher extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long SWEEP_MILLIS = 1_000;

    private final PipelineConfig config;
    private final PipelineServices services;
    private final WorkQueue queue;
    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    private volatile List<String> runnableBuilders = List.of();
    private WorkerExecutor workers;
    private DeploymentRunner runner;
    private boolean claiming;
    private boolean wakeAgain;
    // Set when the node stops: a run ending then must not claim the next job for a node going away.
    private volatile boolean stopping;

    private record Running(Claim claim, AtomicBoolean cancelled) {
    }

    /**
     * A dispatcher.
     *
     * @param config this node's pipeline settings
     * @param services the queue, stores, mirrors, plugins and URLs
     */
    public Dispatcher(PipelineConfig config, PipelineServices services) {
        this.config = config;
        this.services = services;
        this.queue = services.queue();
    }

    @Override
    public Future<?> start() {
        Vertx vertx = this.vertx;
        // Builds block for minutes; they get threads of their own, never the event loop's.
        workers = vertx.createSharedWorkerExecutor("kiln-pipeline-" + config.nodeId(), config.executors() * 2 + 2,
                365, java.util.concurrent.TimeUnit.DAYS);
        runner = new DeploymentRunner(vertx, workers, config, services);
        // A restarted node runs nothing yet: what it held before is free to claim again now, and
        // trees kept for runs before the restart are exported again by whoever runs them. Nothing
        // claims before both are done: a claim made first would be released again as if stale.
        TriggerExports exports = new TriggerExports(config.dataDirectory());
        return vertx.executeBlocking(() -> {
            exports.discardAll();
            return null;
        }, false).compose(cleaned -> queue.releaseAll(config.nodeId(), "node " + config.nodeId() + " restarted")).onSuccess(released -> {
            if (released > 0) {
                LOG.info("Resuming {} deployment(s) this node was running before it stopped", released);
            }
            vertx.eventBus().consumer(EventBusAddresses.WORK, message -> wake());
            vertx.eventBus().<Long>consumer(EventBusAddresses.CANCEL, message -> cancelLocal(message.body()));
            vertx.setPeriodic(SWEEP_MILLIS, id -> wake());
            long renewMillis = config.leaseSeconds() * 1000L / 3;
            vertx.setPeriodic(renewMillis, id -> renewLeases());
            wake();
        });
    }

    @Override
    public Future<?> stop() {
        // From now on this node claims nothing: the wake-up published below would otherwise bring the work back here.
        stopping = true;
        running.values().forEach(run -> run.cancelled().set(true));
        // Hand the running deployments to the other nodes now rather than when the leases run out.
        Future<?> released = running.isEmpty() && !claiming ? Future.succeededFuture()
                : queue.releaseAll(config.nodeId(), "node " + config.nodeId() + " was stopped").onSuccess(count ->
                        vertx.eventBus().publish(EventBusAddresses.WORK, null));
        return released.eventually(() -> workers == null ? Future.succeededFuture() : workers.close());
    }

    /**
     * Sets the builders this node can run; it claims only jobs for those.
     *
     * @param builders builder ids
     */
    public void setRunnableBuilders(List<String> builders) {
        runnableBuilders = List.copyOf(builders);
        if (vertx != null) {
            vertx.runOnContext(ignored -> wake());
        }
    }

    /**
     * How many deployments this node runs now.
     *
     * @return the count
     */
    public int busy() {
        return running.size();
    }

    /**
     * The deployments this node is running.
     *
     * @return their ids
     */
    public List<Long> runningDeployments() {
        return new ArrayList<>(running.keySet());
    }

    private void wake() {
        if (stopping) {
            return;
        }
        if (claiming) {
            wakeAgain = true;
            return;
        }
        if (running.size() >= config.executors()) {
            return;
        }
        claiming = true;
        wakeAgain = false;
        queue.claim(config.nodeId(), runnableBuilders).onComplete(result -> {
            claiming = false;
            if (result.failed()) {
                if (DatabaseHealth.isOutage(result.cause())) {
                    // DatabaseHealth says so once; the next wake-up after it is back claims the work
                    LOG.debug("Could not claim work: {}", result.cause().getMessage());
                } else {
                    LOG.warn("Could not claim work: {}", result.cause().getMessage());
                }
                return;
            }
            if (stopping) {
                // claimed while stopping: hand it back rather than start it on a node that is going away
                result.result().ifPresent(claim -> queue.releaseAll(config.nodeId(), "node " + config.nodeId() + " was stopped"));
                return;
            }
            result.result().ifPresentOrElse(claim -> {
                start(claim);
                wake();
            }, () -> {
                if (wakeAgain) {
                    wake();
                }
            });
        });
    }

    private void start(Claim claim) {
        AtomicBoolean cancelled = new AtomicBoolean();
        running.put(claim.deploymentId(), new Running(claim, cancelled));
        runner.run(claim, cancelled).onComplete(result -> {
            running.remove(claim.deploymentId());
            if (result.failed()) {
                LOG.warn("Deployment {} ended with an error", claim.deploymentId(), result.cause());
            }
            wake();
        });
    }

    private void cancelLocal(Long deploymentId) {
        Running run = deploymentId == null ? null : running.get(deploymentId);
        if (run != null) {
            run.cancelled().set(true);
        }
    }

    private void renewLeases() {
        // Judge only the runs whose leases this round renewed: one claimed meanwhile was not asked about.
        List<Running> sent = List.copyOf(running.values());
        List<Long> tokens = sent.stream().map(run -> run.claim().leaseToken()).toList();
        queue.renew(config.nodeId(), tokens).onSuccess(held -> {
            var stillHeld = new HashSet<>(held);
            // A lease that could not be renewed was cancelled or taken over: stop that build.
            sent.stream()
                    .filter(run -> !stillHeld.contains(run.claim().leaseToken()))
                    .forEach(run -> {
                        LOG.info("Deployment {} lost its lease (cancelled or taken over); stopping it here", run.claim().deploymentId());
                        run.cancelled().set(true);
                    });
        });
    }
}
