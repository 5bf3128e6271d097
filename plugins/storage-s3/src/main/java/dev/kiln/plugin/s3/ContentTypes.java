package dev.kiln.plugin.s3;

import java.net.URLConnection;
import java.util.Locale;
import java.util.Map;

/**
 * The Content-Type stored with each object, so that the bucket is also usable behind a CDN or
 * as a static website. A fixed table rather than {@link java.nio.file.Files#probeContentType},
 * whose answers depend on the host's MIME database.
 */
final class ContentTypes {

    private static final String UTF_8 = "; charset=utf-8";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html" + UTF_8),
            Map.entry("htm", "text/html" + UTF_8),
            Map.entry("css", "text/css" + UTF_8),
            Map.entry("js", "text/javascript" + UTF_8),
            Map.entry("mjs", "text/javascript" + UTF_8),
            Map.entry("cjs", "text/javascript" + UTF_8),
            Map.entry("json", "application/json" + UTF_8),
            Map.entry("map", "application/json" + UTF_8),
            Map.entry("webmanifest", "application/manifest+json" + UTF_8),
            Map.entry("xml", "application/xml" + UTF_8),
            Map.entry("rss", "application/rss+xml" + UTF_8),
            Map.entry("atom", "application/atom+xml" + UTF_8),
            Map.entry("txt", "text/plain" + UTF_8),
            Map.entry("md", "text/markdown" + UTF_8),
            Map.entry("csv", "text/csv" + UTF_8),
            Map.entry("svg", "image/svg+xml" + UTF_8),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("avif", "image/avif"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("bmp", "image/bmp"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("otf", "font/otf"),
            Map.entry("eot", "application/vnd.ms-fontobject"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("ogg", "audio/ogg"),
            Map.entry("wav", "audio/wav"));

    private ContentTypes() {
    }

    static String of(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot >= 0) {
            String type = BY_EXTENSION.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (type != null) {
                return type;
            }
        }
        String guessed = URLConnection.guessContentTypeFromName(name);
        return guessed != null ? guessed : "application/octet-stream";
    }
}
