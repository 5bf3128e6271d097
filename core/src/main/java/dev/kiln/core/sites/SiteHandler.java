package dev.kiln.core.sites;

import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.DeploymentStore.Served;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StoredFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.MimeMapping;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves deployed sites: {@code /sites/{slug}/...} from the project's active deployment and
 * {@code /sites/{slug}/d/{id}/...} from one deployment. The active deployment is read per request,
 * so promotion and rollback switch a whole site at once.
 */
public final class SiteHandler {

    private final Vertx vertx;
    private final DeploymentStore deployments;
    private final PluginHost plugins;

    /**
     * A handler.
     *
     * @param vertx the Vert.x instance
     * @param deployments where deployments are looked up
     * @param plugins the storage targets
     */
    public SiteHandler(Vertx vertx, DeploymentStore deployments, PluginHost plugins) {
        this.vertx = vertx;
        this.deployments = deployments;
        this.plugins = plugins;
    }

    /**
     * Adds the site routes.
     *
     * @param router the root router
     */
    public void mount(Router router) {
        router.routeWithRegex(HttpMethod.GET, "/sites/([a-z0-9-]+)").handler(this::addSlash);
        router.routeWithRegex(HttpMethod.HEAD, "/sites/([a-z0-9-]+)").handler(this::addSlash);
        router.routeWithRegex(HttpMethod.GET, "/sites/([a-z0-9-]+)/(.*)").handler(this::serve);
        router.routeWithRegex(HttpMethod.HEAD, "/sites/([a-z0-9-]+)/(.*)").handler(this::serve);
    }

    private void addSlash(RoutingContext context) {
        context.response().setStatusCode(301).putHeader("Location", context.request().path() + "/").end();
    }

    private record Target(String slug, Long deploymentId, String path, String prefix) {
    }

    private void serve(RoutingContext context) {
        Optional<Target> parsed = parse(context);
        if (parsed.isEmpty()) {
            notFound(context);
            return;
        }
        Target target = parsed.get();
        deployments.served(target.slug(), target.deploymentId())
                .compose(served -> served.map(found -> respond(context, target, found)).orElseGet(() -> {
                    notFound(context);
                    return Future.succeededFuture();
                }))
                .onFailure(error -> {
                    if (!context.response().ended()) {
                        context.response().setStatusCode(503).putHeader("Content-Type", "text/plain; charset=utf-8")
                                .end("The site cannot be served right now.\n");
                    }
                });
    }

    private Optional<Target> parse(RoutingContext context) {
        String slug = context.pathParam("param0");
        String rest;
        try {
            rest = URLDecoder.decode(context.pathParam("param1").replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Long deploymentId = null;
        String prefix = "/sites/" + slug + "/";
        if (rest.startsWith("d/")) {
            int slash = rest.indexOf('/', 2);
            String id = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            try {
                deploymentId = Long.parseLong(id);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (slash < 0) {
                return Optional.empty();
            }
            prefix = prefix + "d/" + id + "/";
            rest = rest.substring(slash + 1);
        }
        if (rest.indexOf('\0') >= 0 || rest.contains("\\") || rest.startsWith("/")) {
            return Optional.empty();
        }
        for (String segment : rest.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return Optional.empty();
            }
        }
        return Optional.of(new Target(slug, deploymentId, rest, prefix));
    }

    private Future<Void> respond(RoutingContext context, Target target, Served served) {
        Optional<StorageTarget> storage = plugins.storage(served.storage());
        if (storage.isEmpty()) {
            context.response().setStatusCode(503).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("This deployment's storage target '" + served.storage() + "' is not available on this node.\n");
            return Future.succeededFuture();
        }
        String path = target.path();
        return vertx.executeBlocking(() -> resolve(storage.get(), served.artifactKey(), path), false).compose(found -> {
            if (found.isEmpty()) {
                notFound(context);
                return Future.succeededFuture();
            }
            Resolved resolved = found.get();
            if (resolved.redirect()) {
                context.response().setStatusCode(301).putHeader("Location", target.prefix() + path + "/").end();
                return Future.succeededFuture();
            }
            return send(context, resolved, target.deploymentId() != null);
        });
    }

    private record Resolved(String path, StoredFile file, boolean redirect, int status) {
    }

    private static Optional<Resolved> resolve(StorageTarget storage, String artifactKey, String path) throws Exception {
        if (path.isEmpty() || path.endsWith("/")) {
            return storage.open(artifactKey, path + "index.html").map(file -> new Resolved(path + "index.html", file, false, 200));
        }
        Optional<StoredFile> exact = storage.open(artifactKey, path);
        if (exact.isPresent()) {
            return Optional.of(new Resolved(path, exact.get(), false, 200));
        }
        if (storage.open(artifactKey, path + "/index.html").isPresent()) {
            return Optional.of(new Resolved(path, null, true, 301));
        }
        Optional<StoredFile> html = storage.open(artifactKey, path + ".html");
        if (html.isPresent()) {
            return Optional.of(new Resolved(path + ".html", html.get(), false, 200));
        }
        return storage.open(artifactKey, "404.html").map(file -> new Resolved("404.html", file, false, 404));
    }

    private Future<Void> send(RoutingContext context, Resolved resolved, boolean immutable) {
        var response = context.response()
                .setStatusCode(resolved.status())
                .putHeader("Content-Type", contentType(resolved.path()))
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "public, max-age=0, must-revalidate");
        if (context.request().method() == HttpMethod.HEAD) {
            response.putHeader("Content-Length", Long.toString(resolved.file().size())).end();
            return Future.succeededFuture();
        }
        Optional<java.nio.file.Path> local = resolved.file().localPath();
        if (local.isPresent()) {
            return response.sendFile(local.get().toString());
        }
        return vertx.executeBlocking(() -> {
            try (InputStream in = resolved.file().openStream()) {
                return Buffer.buffer(in.readAllBytes());
            }
        }, false).compose(response::end);
    }

    static String contentType(String path) {
        String type = MimeMapping.mimeTypeForFilename(path);
        if (type == null) {
            return "application/octet-stream";
        }
        if (type.startsWith("text/") || type.equals("application/javascript") || type.equals("application/json")
                || type.equals("image/svg+xml") || type.equals("application/xml")) {
            return type + "; charset=utf-8";
        }
        return type;
    }

    private static void notFound(RoutingContext context) {
        context.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("Not found\n");
    }
}
