package dev.kiln.core.metrics;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * One node's meters, in Prometheus' registry: Vert.x's own (HTTP server by route, pools, event
 * bus) and Kiln's (deployments, phases, queue, executors, logs, site requests, plugin calls). Each
 * node has its own registry, also when several run in one JVM, and exposes only what it did.
 */
public final class KilnMetrics {

    /** Phase durations, in seconds: from a fast static deployment to a long build. */
    private static final Duration[] PHASE_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
        Duration.ofMinutes(20)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String registryName;
    private final AtomicLong queueDepth = new AtomicLong();
    private final AtomicLong oldestWaitingSeconds = new AtomicLong();
    private final Counter logLines;
    /** By status class (index 1 to 5); filled on first use, racing writers register the same meter. */
    private final Counter[] siteRequests = new Counter[6];

    /**
     * Meters for one node.
     *
     * @param nodeId the node, to keep its Vert.x meters apart from other nodes' in the same JVM
     */
    public KilnMetrics(String nodeId) {
        this.registryName = "kiln-" + nodeId + "-" + System.nanoTime();
        Gauge.builder("kiln.queue.depth", queueDepth, AtomicLong::get)
                .description("Deployments waiting in the queue (the whole cluster's)").register(registry);
        Gauge.builder("kiln.queue.oldest.waiting", oldestWaitingSeconds, AtomicLong::get).baseUnit("seconds")
                .description("How long the oldest queued deployment has waited (the whole cluster's)").register(registry);
        logLines = Counter.builder("kiln.log.lines.written").description("Build log lines written by this node").register(registry);
    }

    /**
     * Vert.x options that report into this registry: HTTP requests by route (never by raw path),
     * method and status.
     *
     * @param options the options to complete
     * @return the same options
     */
    public VertxOptions configure(VertxOptions options) {
        return options.setMetricsOptions(new MicrometerMetricsOptions()
                .setEnabled(true)
                .setRegistryName(registryName)
                .setJvmMetricsEnabled(false)
                .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME))
                .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
                .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
                .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
                .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET));
    }

    /**
     * Makes a Vert.x builder use this registry.
     *
     * @param builder the builder
     * @return the same builder
     */
    public VertxBuilder install(VertxBuilder builder) {
        return builder.withMetrics(new MicrometerMetricsFactory(registry));
    }

    /**
     * Registers the node's executors.
     *
     * @param nodeId the node
     * @param total how many it has
     * @param busy how many are building now
     */
    public void executors(String nodeId, int total, IntSupplier busy) {
        Gauge.builder("kiln.executors.capacity", () -> total).tag("node", nodeId).description("Executors of this node").register(registry);
        Gauge.builder("kiln.executors.busy", busy::getAsInt).tag("node", nodeId).description("Executors of this node building now")
                .register(registry);
    }

    /**
     * A deployment was created.
     *
     * @param builder its builder, or null when not known yet
     */
    public void deploymentCreated(String builder) {
        Counter.builder("kiln.deployments.queued").tag("builder", label(builder))
                .description("Deployments created (queued) through this node").register(registry).increment();
    }

    /**
     * A deployment reached a final state on this node.
     *
     * @param status {@code deployed}, {@code failed} or {@code cancelled}
     * @param builder its builder, or null
     */
    public void deploymentFinished(String status, String builder) {
        Counter.builder("kiln.deployments.finished").tag("status", label(status)).tag("builder", label(builder))
                .description("Deployments that reached a final state on this node").register(registry).increment();
    }

    /**
     * How long a deployment spent in one phase.
     *
     * @param phase {@code queued}, {@code cloning}, {@code building}, {@code uploading} or {@code deploying}
     * @param duration how long
     */
    public void phase(String phase, Duration duration) {
        Timer.builder("kiln.deployment.phase").tag("phase", label(phase)).serviceLevelObjectives(PHASE_BUCKETS)
                .description("Time deployments spent in each phase").register(registry).record(duration);
    }

    /**
     * Build log lines written.
     *
     * @param lines how many
     */
    public void logLines(int lines) {
        logLines.increment(lines);
    }

    /**
     * A request to a served site was answered.
     *
     * @param status the HTTP status
     */
    public void siteRequest(int status) {
        int statusClass = status / 100;
        if (statusClass < 1 || statusClass > 5) {
            statusClass = 5;
        }
        // Looked up once per class: a registry lookup per request is a cost serving feels.
        Counter counter = siteRequests[statusClass];
        if (counter == null) {
            counter = Counter.builder("kiln.site.requests").tag("status_class", statusClass + "xx")
                    .description("Requests to served sites by status class").register(registry);
            siteRequests[statusClass] = counter;
        }
        counter.increment();
    }

    /**
     * A call into a plugin's code finished.
     *
     * @param plugin the plugin, or {@code built-in}
     * @param what the call, such as {@code detect} or {@code build}
     * @param failed whether it threw, hung or crashed
     */
    public void pluginCall(String plugin, String what, boolean failed) {
        Counter.builder("kiln.plugin.calls").tag("plugin", label(plugin)).tag("call", label(what))
                .tag("outcome", failed ? "failure" : "success").description("Calls into plugins").register(registry).increment();
    }

    /**
     * The queue as last read from the database.
     *
     * @param depth deployments waiting
     * @param oldestWaitingSeconds how long the oldest has waited
     */
    public void queue(long depth, long oldestWaitingSeconds) {
        queueDepth.set(depth);
        this.oldestWaitingSeconds.set(oldestWaitingSeconds);
    }

    /**
     * Everything in Prometheus' text format.
     *
     * @return the exposition text
     */
    public String scrape() {
        return registry.scrape();
    }

    private static String label(String value) {
        return value == null || value.isBlank() ? "unknown" : value.toLowerCase(Locale.ROOT);
    }
}
