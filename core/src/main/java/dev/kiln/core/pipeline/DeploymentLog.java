package dev.kiln.core.pipeline;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.core.store.DeploymentStore.LogLine;
import dev.kiln.core.store.LogStore;
import dev.kiln.plugin.api.BuildLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * A deployment's log while it runs: each line is masked by the deployment's {@link Redactor}, numbered,
 * published at once on the event bus for live followers on any node, and stored in batches.
 */
final class DeploymentLog implements BuildLog {

    static final int MAX_LINE_LENGTH = 8192;
    static final int MAX_LINES = 100_000;
    private static final long FLUSH_MILLIS = 200;

    private final Vertx vertx;
    private final LogStore store;
    private final long deploymentId;
    private final String address;
    private final Redactor redactor;
    private final long timer;
    private List<LogLine> pending = new ArrayList<>();
    private int lastLine;
    private boolean truncated;
    private Future<Void> flushing = Future.succeededFuture();

    DeploymentLog(Vertx vertx, LogStore store, long deploymentId, int lastStoredLine, Redactor redactor) {
        this.vertx = vertx;
        this.redactor = redactor;
        this.store = store;
        this.deploymentId = deploymentId;
        this.address = LiveLogs.address(deploymentId);
        this.lastLine = lastStoredLine;
        this.timer = vertx.setPeriodic(FLUSH_MILLIS, id -> flush());
    }

    @Override
    public void line(String text) {
        // Masked before anything is cut, stored or published: a secret never leaves in part.
        for (String line : redactor.redact(text).split("\r?\n", -1)) {
            append(line.length() > MAX_LINE_LENGTH ? line.substring(0, MAX_LINE_LENGTH) + " [line truncated]" : line);
        }
    }

    private synchronized void append(String line) {
        if (lastLine >= MAX_LINES) {
            if (!truncated) {
                truncated = true;
                record("[kiln] log truncated: more than " + MAX_LINES + " lines");
            }
            return;
        }
        record(line);
    }

    private void record(String line) {
        lastLine++;
        pending.add(new LogLine(lastLine, line));
        vertx.eventBus().publish(address, new JsonObject().put("n", lastLine).put("line", line));
    }

    private synchronized Future<Void> flush() {
        if (pending.isEmpty()) {
            return flushing;
        }
        List<LogLine> batch = pending;
        pending = new ArrayList<>();
        // Batches are stored one after another so that a reader never sees a gap.
        flushing = flushing.eventually(() -> store.append(deploymentId, batch));
        return flushing;
    }

    /**
     * Stores what is pending and stops the timer; the deployment's final state is written after.
     *
     * @return done when every line is stored
     */
    Future<Void> close() {
        vertx.cancelTimer(timer);
        Promise<Void> done = Promise.promise();
        flush().onComplete(result -> done.complete());
        return done.future();
    }
}
