package dev.kiln.core.sites;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.sites.SiteDirectory.Resolution;
import dev.kiln.core.store.SiteStore.ServedDeployment;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves deployed sites. In front of the API's router it answers every request whose {@code Host}
 * is a site ({@link SiteHost}) and passes the rest on; behind it, {@code /sites/{slug}/...} and
 * {@code /sites/{slug}/d/{id}/...} keep serving for set-ups without wildcard DNS.
 *
 * <p>For a path, in order: a forced {@code _redirects} rule; the file, {@code path/index.html}
 * or {@code path.html} (a directory without its slash is redirected); any other matching rule;
 * for a single-page application, {@code /index.html}; the site's {@code 404.html} with 404.
 */
public final class SiteHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SiteHandler.class);
    private static final List<String> HIDDEN = List.of("_redirects", "_headers");
    private static final int MAX_REWRITES = 3;
    private static final long WARNING_INTERVAL_NANOS = 10_000_000_000L;
    private static final java.util.concurrent.atomic.AtomicLong lastWarning = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime() - WARNING_INTERVAL_NANOS - 1);
    /** Where a TLS-terminating proxy asks whether to get a certificate for a name. */
    public static final String TLS_CHECK_PATH = "/tls-check";

    private final Vertx vertx;
    private final SiteDirectory directory;
    private final String sitesDomain;
    private final SiteFiles files;
    private final ArtifactPeers peers;
    private final java.util.function.IntConsumer answered;

    /**
     * A handler.
     *
     * @param vertx the Vert.x instance
     * @param directory which deployment each host serves
     * @param plugins the storage targets
     * @param nodeId this node
     * @param dataDirectory this node's data directory, for copies of other nodes' files
     * @param sitesDomain the sites domain
     * @param answered told the status of every answered site request, for the metrics
     */
    public SiteHandler(Vertx vertx, SiteDirectory directory, PluginHost plugins, String nodeId, Path dataDirectory, String sitesDomain,
                       java.util.function.IntConsumer answered) {
        this.answered = answered;
        this.vertx = vertx;
        this.directory = directory;
        this.sitesDomain = sitesDomain;
        this.peers = new ArtifactPeers(vertx, plugins, nodeId, dataDirectory.resolve("site-copies").toAbsolutePath().normalize());
        this.files = new SiteFiles(vertx, plugins, peers, dataDirectory.resolve("site-gzip").toAbsolutePath().normalize());
        directory.onChange(files::clear);
    }

    /**
     * Starts answering other nodes for this node's files (on every node, with HTTP or without).
     *
     * @return done
     */
    public Future<Void> start() {
        return peers.start();
    }

    /**
     * Stops answering other nodes.
     *
     * @return done
     */
    public Future<Void> stop() {
        return peers.stop();
    }

    /**
     * The HTTP server's handler: sites by host, anything else to the router.
     *
     * @param router the root router
     * @return the handler
     */
    public Handler<HttpServerRequest> inFrontOf(Router router) {
        return request -> {
            Optional<SiteHost> host = HostNames.ofHeader(request.authority() != null ? request.authority().host()
                    : request.getHeader(HttpHeaders.HOST)).flatMap(name -> SiteHost.parse(name, sitesDomain));
            if (host.isEmpty() || (host.get().kind() == SiteHost.Kind.CUSTOM && !directory.isVerifiedDomain(host.get().host()))) {
                router.handle(request);
                return;
            }
            when(directory.resolve(host.get()), resolution -> {
                if (!resolution.site()) {
                    router.handle(request);
                } else {
                    serve(request, host.get().immutable(), resolution, request.path(), "/");
                }
            }, error -> unavailable(request, error));
        };
    }

    /**
     * Adds the {@code /sites/} routes.
     *
     * @param router the root router
     */
    public void mount(Router router) {
        router.get(TLS_CHECK_PATH).handler(this::tlsCheck);
        router.routeWithRegex(HttpMethod.GET, "/sites/([a-z0-9-]+)").handler(this::addSlash);
        router.routeWithRegex(HttpMethod.HEAD, "/sites/([a-z0-9-]+)").handler(this::addSlash);
        router.routeWithRegex(HttpMethod.GET, "/sites/([a-z0-9-]+)/(.*)").handler(this::servePath);
        router.routeWithRegex(HttpMethod.HEAD, "/sites/([a-z0-9-]+)/(.*)").handler(this::servePath);
    }

    /**
     * For a reverse proxy issuing certificates on demand (Caddy's {@code ask}): 200 when
     * {@code ?domain=} is a site with a live deployment or a verified custom domain, 404 otherwise.
     */
    private void tlsCheck(RoutingContext context) {
        String domain = context.request().getParam("domain");
        Optional<SiteHost> host = HostNames.ofHeader(domain).flatMap(name -> SiteHost.parse(name, sitesDomain));
        if (host.isEmpty() || (host.get().kind() == SiteHost.Kind.CUSTOM && !directory.isVerifiedDomain(host.get().host()))) {
            context.response().setStatusCode(404).end();
            return;
        }
        directory.resolve(host.get()).onComplete(result -> context.response()
                .setStatusCode(result.succeeded() && result.result().site() && result.result().deployment() != null ? 200
                        : result.succeeded() ? 404 : 503)
                .end());
    }

    private void addSlash(RoutingContext context) {
        context.response().setStatusCode(301).putHeader("Location", context.request().path() + "/").end();
    }

    private void servePath(RoutingContext context) {
        HttpServerRequest request = context.request();
        String slug = context.pathParam("param0");
        String rest = context.pathParam("param1");
        String prefix = "/sites/" + slug + "/";
        SiteHost host = new SiteHost(SiteHost.Kind.PRODUCTION, slug, null, null, slug + "." + sitesDomain);
        if (rest.startsWith("d/")) {
            int slash = rest.indexOf('/', 2);
            String id = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            if (slash < 0 || id.isEmpty() || id.length() > 18 || !id.chars().allMatch(Character::isDigit)) {
                plainNotFound(request);
                return;
            }
            prefix = prefix + "d/" + id + "/";
            rest = rest.substring(slash + 1);
            host = new SiteHost(SiteHost.Kind.DEPLOYMENT, slug, Long.parseLong(id), null, id + SiteHost.SEPARATOR + slug + "." + sitesDomain);
        }
        String sitePath = "/" + rest;
        String sitePrefix = prefix;
        boolean immutable = host.immutable();
        when(directory.resolve(host), resolution -> serve(request, immutable, resolution, sitePath, sitePrefix),
                error -> unavailable(request, error));
    }

    /** The state of one request through the resolution steps. */
    private record Request(HttpServerRequest http, boolean immutable, ServedDeployment deployment, SiteFiles.Rules rules,
                           String path, String prefix) {
    }

    private void serve(HttpServerRequest http, boolean immutable, Resolution resolution, String rawPath, String prefix) {
        http.response().endHandler(ended -> answered.accept(http.response().getStatusCode()));
        if (http.method() != HttpMethod.GET && http.method() != HttpMethod.HEAD) {
            http.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD")
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end("Only GET and HEAD are served here.\n");
            return;
        }
        if (resolution.deployment() == null) {
            plainNotFound(http);
            return;
        }
        Optional<String> path = SitePaths.decode(rawPath);
        if (path.isEmpty()) {
            plainNotFound(http);
            return;
        }
        ServedDeployment deployment = resolution.deployment();
        when(files.rules(deployment), rules -> {
            Request request = new Request(http, immutable, deployment, rules, path.get(), prefix);
            Optional<Redirects.Match> forced = rules.redirects().match(request.path(), true);
            if (forced.isPresent()) {
                apply(request, forced.get(), 0);
            } else {
                tryFile(request);
            }
        }, error -> unavailable(http, error));
    }

    private void tryFile(Request request) {
        String path = request.path().substring(1);
        when(find(request.deployment(), path), found -> {
            if (found.file() != null) {
                reply(request, found.file(), 200);
            } else if (found.directory()) {
                String query = request.http().query();
                redirect(request, request.prefix() + path + "/" + (query == null ? "" : "?" + query), 301);
            } else {
                Optional<Redirects.Match> rule = request.rules().redirects().match(request.path(), false);
                if (rule.isPresent()) {
                    apply(request, rule.get(), 0);
                } else {
                    fallback(request);
                }
            }
        }, error -> unavailable(request.http(), error));
    }

    /** What a path finds: a file, or a directory whose slash is missing, or nothing. */
    private record Found(SiteFile file, boolean directory) {
        static final Found NOTHING = new Found(null, false);
    }

    private Future<Found> find(ServedDeployment deployment, String path) {
        if (path.isEmpty() || path.endsWith("/")) {
            return open(deployment, path + "index.html").map(file -> file.map(found -> new Found(found, false)).orElse(Found.NOTHING));
        }
        return open(deployment, path).compose(exact -> {
            if (exact.isPresent()) {
                return Future.succeededFuture(new Found(exact.get(), false));
            }
            return open(deployment, path + "/index.html").compose(index -> index.isPresent()
                    ? Future.succeededFuture(new Found(null, true))
                    : open(deployment, path + ".html").map(html -> html.map(file -> new Found(file, false)).orElse(Found.NOTHING)));
        });
    }

    private Future<Optional<SiteFile>> open(ServedDeployment deployment, String path) {
        if (HIDDEN.contains(path)) {
            return Future.succeededFuture(Optional.empty());
        }
        return files.open(deployment, path);
    }

    private void apply(Request request, Redirects.Match match, int depth) {
        if (match.status() == 301 || match.status() == 302) {
            String target = match.target();
            if (target.startsWith("/") && !target.startsWith("//")) {
                target = request.prefix() + target.substring(1);
                String query = request.http().query();
                if (query != null && target.indexOf('?') < 0) {
                    target = target + "?" + query;
                }
            }
            redirect(request, target, match.status());
            return;
        }
        String target = match.target();
        int query = target.indexOf('?');
        String targetPath = (query < 0 ? target : target.substring(0, query)).substring(1);
        when(find(request.deployment(), targetPath), found -> {
            if (found.file() != null) {
                reply(request, found.file(), match.status());
            } else if (match.status() == 200 && depth < MAX_REWRITES) {
                // A rewrite to a path that is itself a rule's source (a proxy chain on Netlify).
                Optional<Redirects.Match> next = request.rules().redirects().match("/" + targetPath, false);
                if (next.isPresent() && !next.get().equals(match)) {
                    apply(request, next.get(), depth + 1);
                } else {
                    notFound(request);
                }
            } else {
                notFound(request);
            }
        }, error -> unavailable(request.http(), error));
    }

    private void fallback(Request request) {
        String path = request.path();
        String last = path.substring(path.lastIndexOf('/') + 1);
        ServedDeployment deployment = request.deployment();
        if (SinglePageApps.isSpa(deployment.isSpa(), deployment.detectedFramework()) && last.indexOf('.') < 0) {
            when(open(deployment, "index.html"), index -> {
                if (index.isPresent()) {
                    reply(request, index.get(), 200);
                } else {
                    notFound(request);
                }
            }, error -> unavailable(request.http(), error));
            return;
        }
        notFound(request);
    }

    private void notFound(Request request) {
        when(open(request.deployment(), "404.html"), page -> {
            if (page.isPresent()) {
                reply(request, page.get(), 404);
            } else {
                plainNotFound(request.http());
            }
        }, error -> unavailable(request.http(), error));
    }

    private void reply(Request request, SiteFile file, int status) {
        List<Map.Entry<String, String>> headers = request.rules().headers().headersFor(request.path());
        String type = ContentTypes.bare(file.path());
        boolean siblings = ContentTypes.isText(type) && request.http().getHeader("Range") == null
                && (FileReply.accepts(request.http(), "br") || FileReply.accepts(request.http(), "gzip"));
        if (!siblings) {
            send(request, new FileReply(file, status, request.immutable(), request.deployment().deploymentId(),
                    request.deployment().deployedAt(), headers, null, null));
            return;
        }
        // Text goes compressed: a precompressed sibling, else the file compressed once (in memory when small).
        Future<Optional<SiteFile>> brotli = FileReply.accepts(request.http(), "br") ? files.open(request.deployment(), file.path() + ".br")
                : Future.succeededFuture(Optional.empty());
        boolean gzip = FileReply.accepts(request.http(), "gzip");
        when(brotli, br -> when(files.open(request.deployment(), file.path() + ".gz"), gz -> {
            Future<Optional<SiteFile>> compressed = gz.isPresent() || !gzip || file.bytes() != null ? Future.succeededFuture(gz)
                    : files.gzipped(request.deployment(), file);
            when(compressed, made -> send(request, new FileReply(file, status, request.immutable(), request.deployment().deploymentId(),
                    request.deployment().deployedAt(), headers, br.orElse(null), made.orElse(null))),
                    error -> unavailable(request.http(), error));
        }, error -> unavailable(request.http(), error)), error -> unavailable(request.http(), error));
    }

    private void send(Request request, FileReply reply) {
        reply.send(vertx, request.http()).onFailure(error -> {
            LOG.debug("Sending {} failed: {}", request.path(), error.getMessage());
            if (!request.http().response().headWritten()) {
                unavailable(request.http(), error);
            }
        });
    }

    private static void redirect(Request request, String location, int status) {
        request.http().response().setStatusCode(status).putHeader(HttpHeaders.LOCATION, location)
                .putHeader(HttpHeaders.CACHE_CONTROL, FileReply.REVALIDATE).end();
    }

    private static <T> void when(Future<T> future, Consumer<T> success, Consumer<Throwable> failure) {
        // Answers already known (the usual case) are used at once, with no listener and no hop.
        if (future.succeeded()) {
            success.accept(future.result());
        } else if (future.failed()) {
            failure.accept(future.cause());
        } else {
            future.onComplete(result -> {
                if (result.succeeded()) {
                    success.accept(result.result());
                } else {
                    failure.accept(result.cause());
                }
            });
        }
    }

    private static void plainNotFound(HttpServerRequest request) {
        request.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, FileReply.REVALIDATE).end("Not found\n");
    }

    private static void unavailable(HttpServerRequest request, Throwable error) {
        // While the database is away every unknown host fails alike: one warning in ten seconds says it.
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last > WARNING_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("Cannot serve {}{}: {} (more such failures in the next 10 s are logged at debug level)", request.authority(),
                    request.path(), error.toString());
        } else {
            LOG.debug("Cannot serve {}{}: {}", request.authority(), request.path(), error.toString());
        }
        if (!request.response().ended() && !request.response().headWritten()) {
            request.response().headers().clear();
            request.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .putHeader(HttpHeaders.RETRY_AFTER, "5").end("The site cannot be served right now.\n");
        }
    }
}
