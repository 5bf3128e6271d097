package dev.kiln.core.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The web dashboard: a single page of plain ES modules and CSS from the class path
 * ({@code dashboard/}), which talks to the public API only. Its own pages are history-API routes:
 * each answers {@code index.html}, so an address can be shared and reloaded; every other path
 * (the API, sites, hooks, health, metrics) is left to the routes that own it.
 */
public final class Dashboard {

    /** Where the dashboard's scripts, styles and icon are served. */
    static final String ASSETS = "/ui/";

    /** The dashboard's pages; anything else is not the dashboard's to answer. */
    static final Pattern PAGES = Pattern.compile(
            "/|/sign-in|/projects|/projects/new|/projects/[0-9]{1,18}(/settings|/deployments/[0-9]{1,18})?|/nodes|/plugins|/tokens");

    private static final Pattern ASSET_NAME = Pattern.compile("[a-z][a-z0-9-]{0,60}\\.(js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "html", "text/html; charset=utf-8");
    // No inline script or style anywhere; the page only talks to its own origin.
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static final Map<String, Optional<Asset>> CACHE = new ConcurrentHashMap<>();

    private Dashboard() {
    }

    /** A file of the dashboard with its type and validator. */
    private record Asset(Buffer content, String type, String etag) {
    }

    /**
     * Adds the dashboard's routes. Mount after the API's and the sites' routes and before the
     * catch-all 404.
     *
     * @param router the server's root router
     */
    public static void mount(Router router) {
        router.getWithRegex(PAGES.pattern()).handler(context -> serve(context, "index.html"));
        router.get(ASSETS + ":name").handler(context -> {
            String name = context.pathParam("name");
            if (!ASSET_NAME.matcher(name).matches()) {
                context.next();
                return;
            }
            serve(context, name);
        });
    }

    private static void serve(RoutingContext context, String name) {
        Optional<Asset> cached = CACHE.get(name);
        if (cached != null) {
            answer(context, cached);
            return;
        }
        context.vertx().executeBlocking(() -> load(name), false).onComplete(result -> {
            if (result.failed()) {
                context.fail(result.cause());
                return;
            }
            CACHE.put(name, result.result());
            answer(context, result.result());
        });
    }

    private static void answer(RoutingContext context, Optional<Asset> found) {
        if (found.isEmpty()) {
            context.next();
            return;
        }
        Asset asset = found.get();
        HttpServerResponse response = context.response();
        securityHeaders(response);
        response.putHeader("Cache-Control", "no-cache").putHeader("ETag", asset.etag());
        if (asset.etag().equals(context.request().getHeader("If-None-Match"))) {
            response.setStatusCode(304).end();
            return;
        }
        response.putHeader("Content-Type", asset.type()).end(asset.content());
    }

    static void securityHeaders(HttpServerResponse response) {
        response.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Cross-Origin-Opener-Policy", "same-origin");
    }

    private static Optional<Asset> load(String name) throws IOException {
        try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String extension = name.substring(name.lastIndexOf('.') + 1);
            return Optional.of(new Asset(Buffer.buffer(bytes), TYPES.get(extension), "\"" + sha256(bytes).substring(0, 32) + "\""));
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
