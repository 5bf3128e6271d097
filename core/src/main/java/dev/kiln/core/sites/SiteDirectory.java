package dev.kiln.core.sites;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.store.DatabaseHealth;
import dev.kiln.core.store.SiteStore;
import dev.kiln.core.store.SiteStore.ServedDeployment;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

/**
 * Which deployment each site host serves, kept in memory. Every change that moves a host to
 * other files (a deployment going live, a rollback, a prune, a domain verified, a project renamed
 * or deleted) fires a PostgreSQL notification when its transaction commits (migration V6); every
 * node listens and drops its answers at once. While the listening connection is down nothing is
 * cached, so a node never serves a stale answer for longer than a notification takes to arrive.
 *
 * <p>While the database cannot be reached at all, a host that had a live deployment keeps serving
 * the last one the database named (nothing can be promoted or pruned meanwhile): its files are on
 * disk. A host never resolved before cannot be answered then. Once the database answers again,
 * fresh answers replace the remembered ones.
 */
public final class SiteDirectory {

    /** The channel the database notifies on. */
    static final String CHANNEL = "kiln_sites";
    /** Hosts remembered at most; past it the map starts over (hostile Host headers cannot grow it). */
    private static final int MAX_HOSTS = 20_000;
    private static final long DOMAINS_REFRESH_MS = 5_000;
    /** While the database is away, it is asked again at most this often (by one lookup, in the background). */
    private static final long AWAY_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A database that takes connections but does not answer counts as away after this long. */
    private static final long LOOKUP_TIMEOUT_MS = 3_000;
    private static final Logger LOG = LoggerFactory.getLogger(SiteDirectory.class);

    /**
     * What a host resolves to.
     *
     * @param site whether the host is a site at all (a custom domain that is not verified is not)
     * @param deployment what it serves now, or null when nothing is live there
     */
    public record Resolution(boolean site, ServedDeployment deployment) {
        static final Resolution NOT_A_SITE = new Resolution(false, null);
        static final Resolution NOTHING_LIVE = new Resolution(true, null);
    }

    private final SiteStore store;
    private final AsyncCache<String, Resolution> byHost = new AsyncCache<>(MAX_HOSTS);
    private final List<Runnable> onChange = new CopyOnWriteArrayList<>();
    /** The last live answer the database gave for each host, for when it cannot answer. */
    private final Map<String, Future<Resolution>> lastKnown = new ConcurrentHashMap<>();
    private final AtomicBoolean rechecking = new AtomicBoolean();
    private volatile boolean listening;
    private final AtomicBoolean databaseAway = new AtomicBoolean();
    private volatile boolean closing;
    private volatile long recheckAt;
    private volatile Set<String> verifiedDomains = Set.of();
    private Vertx vertx;
    private PgSubscriber subscriber;

    /**
     * A directory over the store.
     *
     * @param store where answers come from
     */
    public SiteDirectory(SiteStore store) {
        this.store = store;
    }

    /**
     * Starts listening for changes; until this succeeds, every lookup goes to the database.
     *
     * @param vertx the Vert.x instance
     * @param databaseUrl the database's URL
     * @return done when listening
     */
    public Future<Void> listen(Vertx vertx, String databaseUrl) {
        this.vertx = vertx;
        // Should notifications stop for good, domains still arrive within a few seconds.
        vertx.setPeriodic(DOMAINS_REFRESH_MS, id -> {
            if (!listening) {
                reloadDomains();
            }
        });
        subscriber = PgSubscriber.subscriber(vertx, PgConnectOptions.fromUri(databaseUrl));
        subscriber.reconnectPolicy(retries -> {
            // Asked first when the connection is lost (the close handler runs only once it gives up):
            // from now on notifications may be missed, so nothing is answered from the cache.
            if (retries == 0) {
                listening = false;
            }
            return 500L;
        });
        subscriber.closeHandler(closed -> {
            listening = false;
            changed();
        });
        subscriber.channel(CHANNEL)
                .subscribeHandler(subscribed -> {
                    // Changes while the connection was down were missed: start over.
                    databaseAway.set(false);
                    changed();
                    listening = true;
                })
                .handler(payload -> changed());
        return reloadDomains().compose(loaded -> connect()).onFailure(error -> LOG.warn("Cannot listen for site changes; sites are looked up per request: {}",
                error.getMessage()));
    }

    // The reconnect policy covers a connection lost, not a first connection that failed: that one is tried again here.
    private Future<Void> connect() {
        return subscriber.connect().onFailure(error -> {
            if (!closing) {
                vertx.setTimer(1_000, id -> connect());
            }
        });
    }

    /**
     * Stops listening.
     *
     * @return done
     */
    public Future<Void> close() {
        closing = true;
        listening = false;
        return subscriber == null ? Future.succeededFuture() : subscriber.close();
    }

    /**
     * Registers work to do whenever what hosts serve may have changed (dropping other caches).
     *
     * @param listener called on the thread that saw the change
     */
    public void onChange(Runnable listener) {
        onChange.add(listener);
    }

    /**
     * What a host serves now.
     *
     * @param host the parsed host
     * @return the resolution; answered from memory when known
     */
    public Future<Resolution> resolve(SiteHost host) {
        if (listening) {
            Future<Resolution> cached = byHost.get(host.host(), key -> fresh(host));
            return cached.succeeded() ? cached : cached.recover(error -> lastKnown(host, error));
        }
        if (databaseAway.get()) {
            Future<Resolution> last = lastKnown.get(host.host());
            if (last != null) {
                recheckInBackground(host);
                return last;
            }
        }
        return fresh(host).recover(error -> lastKnown(host, error));
    }

    /** An answer from the database, remembered for when it is away. */
    private Future<Resolution> fresh(SiteHost host) {
        return load(host).andThen(result -> {
            if (result.succeeded()) {
                if (databaseAway.compareAndSet(true, false)) {
                    LOG.info("The database answers again; sites are looked up afresh");
                }
                remember(host.host(), result.result());
            }
        });
    }

    private void remember(String host, Resolution resolution) {
        if (resolution.deployment() == null) {
            lastKnown.remove(host);
        } else if (lastKnown.size() < MAX_HOSTS || lastKnown.containsKey(host)) {
            lastKnown.put(host, Future.succeededFuture(resolution));
        }
    }

    /** When the database could not be reached: the host's last live answer, if it had one. */
    private Future<Resolution> lastKnown(SiteHost host, Throwable error) {
        if (!DatabaseHealth.isOutage(error)) {
            return Future.failedFuture(error);
        }
        if (databaseAway.compareAndSet(false, true)) {
            recheckAt = System.nanoTime() + AWAY_RECHECK_NANOS;
            LOG.warn("The database cannot be reached ({}); sites serve their last known deployments until it is back",
                    error.getMessage());
        }
        Future<Resolution> last = lastKnown.get(host.host());
        return last != null ? last : Future.failedFuture(error);
    }

    /** Asks the database again, at most once a second and never in the way of a request. */
    private void recheckInBackground(SiteHost host) {
        if (System.nanoTime() - recheckAt < 0 || !rechecking.compareAndSet(false, true)) {
            return;
        }
        fresh(host).onComplete(result -> {
            recheckAt = System.nanoTime() + AWAY_RECHECK_NANOS;
            rechecking.set(false);
        });
    }

    /**
     * Whether a host is a verified custom domain; answered from memory, so that a request to any
     * other host goes to the API at once, its body untouched.
     *
     * @param host the host
     * @return true when verified
     */
    public boolean isVerifiedDomain(String host) {
        return verifiedDomains.contains(host);
    }

    private Future<Void> reloadDomains() {
        return store.verifiedDomains().onSuccess(domains -> verifiedDomains = domains)
                .onFailure(error -> LOG.warn("Cannot load the custom domains: {}", error.getMessage())).mapEmpty();
    }

    /**
     * Drops every answer now: this node committed a change of what a host serves, and its next
     * request must see it (the notification that tells every node follows).
     */
    public void changedHere() {
        changed();
    }

    private void changed() {
        byHost.clear();
        onChange.forEach(Runnable::run);
        if (vertx != null) {
            reloadDomains();
        }
    }

    private Future<Resolution> load(SiteHost host) {
        return query(host).timeout(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private Future<Resolution> query(SiteHost host) {
        return switch (host.kind()) {
            case PRODUCTION -> store.production(host.slug()).map(SiteDirectory::live);
            case DEPLOYMENT -> store.deployment(host.slug(), host.deploymentId()).map(SiteDirectory::live);
            case BRANCH -> store.previews(host.slug()).map(previews -> previews.stream()
                    .filter(preview -> SiteHost.branchSlug(preview.branch()).equals(host.branchSlug()))
                    .findFirst()
                    .map(preview -> new Resolution(true, preview))
                    .orElse(Resolution.NOTHING_LIVE));
            case CUSTOM -> store.customDomain(host.host()).compose(found -> found.isPresent()
                    ? Future.succeededFuture(new Resolution(true, found.get()))
                    : store.isVerifiedDomain(host.host()).map(verified -> verified ? Resolution.NOTHING_LIVE : Resolution.NOT_A_SITE));
        };
    }

    private static Resolution live(Optional<ServedDeployment> found) {
        return found.map(deployment -> new Resolution(true, deployment)).orElse(Resolution.NOTHING_LIVE);
    }
}
