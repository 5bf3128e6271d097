package dev.kiln.core.notify;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.store.NotificationStore;
import dev.kiln.core.store.NotificationStore.Attempt;
import dev.kiln.core.store.NotificationStore.Claimed;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Sends the outbox of deployment notifications. Runs on every node; a delivery is claimed under a
 * lease in PostgreSQL, so each is sent by one node at a time, and what a restart interrupts is
 * sent again when its lease runs out. It never touches the pipeline: a slow or failing receiver
 * only delays its own deliveries.
 */
public final class Notifier extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final int BATCH = 16;
    private static final int LEASE_SECONDS = 60;
    private static final String USER_AGENT = "Kiln-Notifications/1";

    private final NotificationStore store;
    private final PublicUrls urls;
    private final String node;
    private final NotifierSettings settings;
    private HttpClient client;
    private long timer = -1;
    private boolean draining;

    /**
     * How often the outbox is checked and how failures are retried.
     *
     * @param pollMillis how often to look for due deliveries
     * @param retryBaseMillis the first retry's delay; each next one doubles, up to 15 minutes
     * @param giveUpAfter how long after the event Kiln stops trying
     * @param timeout how long one attempt may take
     */
    public record NotifierSettings(long pollMillis, long retryBaseMillis, Duration giveUpAfter, Duration timeout) {
    }

    /**
     * A notifier.
     *
     * @param store the outbox
     * @param urls where sites and logs are, for the bodies
     * @param node this node's id, the lease owner
     * @param settings timing
     */
    public Notifier(NotificationStore store, PublicUrls urls, String node, NotifierSettings settings) {
        this.store = store;
        this.urls = urls;
        this.node = node;
        this.settings = settings;
    }

    @Override
    public Future<?> start() {
        client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) settings.timeout().toMillis())
                .setIdleTimeout(30)
                .setKeepAlive(true));
        timer = vertx.setPeriodic(settings.pollMillis(), tick -> drain());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return client == null ? Future.succeededFuture() : client.close();
    }

    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        store.anyDue()
                .compose(due -> due ? store.claimDue(node, BATCH, LEASE_SECONDS) : Future.succeededFuture(java.util.List.<Claimed>of()))
                .compose(claimed -> {
                    Future<Void> all = Future.succeededFuture();
                    for (Claimed one : claimed) {
                        // One after another: a batch is small, and ordering per receiver stays natural.
                        all = all.compose(done -> send(one).recover(error -> {
                            LOG.warn("Could not record notification delivery {}: {}", one.delivery().id(), error.getMessage());
                            return Future.succeededFuture();
                        }));
                    }
                    return all;
                })
                .onComplete(done -> {
                    draining = false;
                    if (done.failed()) {
                        LOG.debug("Notification outbox not reachable: {}", done.cause().getMessage());
                    }
                });
    }

    private Future<Void> send(Claimed claimed) {
        String body = NotificationMessages.body(claimed.delivery(), claimed.subscription().format(), urls);
        RequestOptions options;
        try {
            options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(URI.create(claimed.subscription().url()).toString())
                    .setTimeout(settings.timeout().toMillis())
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("User-Agent", USER_AGENT)
                    .putHeader("X-Kiln-Event", claimed.delivery().event())
                    .putHeader("X-Kiln-Delivery", Long.toString(claimed.delivery().id()));
        } catch (IllegalArgumentException e) {
            return finish(claimed, new Attempt(OffsetDateTime.now(), null, "the URL is not valid: " + e.getMessage(), 0), false);
        }
        String secret = claimed.subscription().secret();
        if (secret != null && !secret.isEmpty()) {
            options.putHeader("X-Kiln-Signature-256", NotificationMessages.signature(secret, body));
        }
        long started = System.nanoTime();
        OffsetDateTime at = OffsetDateTime.now();
        return client.request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .transform(result -> {
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    if (result.succeeded()) {
                        int status = result.result();
                        boolean ok = status >= 200 && status < 300;
                        return finish(claimed, new Attempt(at, status, ok ? null : "the receiver answered " + status, millis), ok);
                    }
                    return finish(claimed, new Attempt(at, null, String.valueOf(result.cause().getMessage()), millis), false);
                });
    }

    private Future<Void> finish(Claimed claimed, Attempt attempt, boolean delivered) {
        long retryIn = -1;
        if (!delivered) {
            int attemptsSoFar = claimed.delivery().attempts();
            long delay = settings.retryBaseMillis() << Math.min(attemptsSoFar, 20);
            delay = Math.min(delay, Duration.ofMinutes(15).toMillis());
            OffsetDateTime deadline = claimed.delivery().createdAt().plus(settings.giveUpAfter());
            retryIn = OffsetDateTime.now().plusNanos(delay * 1_000_000).isAfter(deadline) ? -1 : delay;
            if (retryIn < 0) {
                LOG.warn("Giving up notification {} ({}) to {} after {} attempts: {}", claimed.delivery().id(),
                        claimed.delivery().event(), claimed.subscription().url(), attemptsSoFar + 1, attempt.error());
            }
        }
        return store.finishAttempt(claimed.delivery().id(), node, attempt, delivered, retryIn);
    }
}
