package dev.kiln.core.sites;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.vertx.core.http.MimeMapping;

/** The {@code Content-Type} of served files, and which of them are text worth compressing. */
final class ContentTypes {

    /** Types Vert.x's table lacks or gets wrong for the web. */
    private static final Map<String, String> OVERRIDES = Map.ofEntries(
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("avif", "image/avif"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("mjs", "text/javascript"),
            Map.entry("js", "text/javascript"),
            Map.entry("map", "application/json"),
            Map.entry("webp", "image/webp"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("woff", "font/woff"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("md", "text/markdown"),
            Map.entry("txt", "text/plain"));
    private static final Set<String> TEXT_APPLICATIONS = Set.of("application/json", "application/manifest+json", "application/xml",
            "application/javascript", "application/xhtml+xml", "application/rss+xml", "application/atom+xml", "image/svg+xml",
            "application/ld+json", "image/x-icon");

    private ContentTypes() {
    }

    /**
     * The type of a file by its name, with {@code charset=utf-8} for text.
     *
     * @param path the file's path
     * @return the header value
     */
    static String of(String path) {
        String type = bare(path);
        return isText(type) && !type.equals("image/x-icon") ? type + "; charset=utf-8" : type;
    }

    /**
     * Whether a type is text that compresses well.
     *
     * @param type a type without parameters
     * @return true for text
     */
    static boolean isText(String type) {
        return type.startsWith("text/") || TEXT_APPLICATIONS.contains(type);
    }

    /**
     * The type without parameters.
     *
     * @param path the file's path
     * @return the type; {@code application/octet-stream} when unknown
     */
    static String bare(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot > slash) {
            String override = OVERRIDES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (override != null) {
                return override;
            }
        }
        String type = MimeMapping.mimeTypeForFilename(path);
        return type == null ? "application/octet-stream" : type;
    }
}
