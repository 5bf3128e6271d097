package dev.kiln.plugin.api;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code Content-Type} of a deployment's files, by extension: one table for Kiln, which serves
 * the files, and for storage plugins, which may store a type with each file so that a bucket serves
 * them the same way behind a CDN. It lists the types of the web's common files; for any other
 * extension the caller falls back on a table of its own choosing (Kiln uses its HTTP library's).
 */
public final class WebContentTypes {

    /** The type of a file whose type is not known. */
    public static final String UNKNOWN = "application/octet-stream";

    // What every site sends for these extensions (the IANA registrations: font/ttf, audio/wav, ...).
    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html"),
            Map.entry("htm", "text/html"),
            Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"),
            Map.entry("mjs", "text/javascript"),
            Map.entry("cjs", "text/javascript"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("xml", "application/xml"),
            Map.entry("rss", "application/rss+xml"),
            Map.entry("atom", "application/atom+xml"),
            Map.entry("txt", "text/plain"),
            Map.entry("md", "text/markdown"),
            Map.entry("csv", "text/csv"),
            Map.entry("svg", "image/svg+xml"),
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
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("ogg", "audio/ogg"),
            Map.entry("wav", "audio/wav"));

    private static final Set<String> TEXT_APPLICATIONS = Set.of("application/json", "application/manifest+json", "application/xml",
            "application/javascript", "application/xhtml+xml", "application/rss+xml", "application/atom+xml", "image/svg+xml",
            "application/ld+json", "image/x-icon");

    private WebContentTypes() {
    }

    /**
     * The type of a file by the extension of its path.
     *
     * @param path the file's path, with {@code /} between directories
     * @return the type without parameters, or null when the table does not list the extension
     */
    public static String of(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash ? BY_EXTENSION.get(path.substring(dot + 1).toLowerCase(Locale.ROOT)) : null;
    }

    /**
     * Whether a type is text: it compresses well and is sent with a charset.
     *
     * @param type a type without parameters
     * @return true for text
     */
    public static boolean isText(String type) {
        return type.startsWith("text/") || TEXT_APPLICATIONS.contains(type);
    }

    /**
     * The header value for a type: text is UTF-8 ({@code image/x-icon} is listed as text only
     * because it compresses well).
     *
     * @param type a type without parameters
     * @return the type, with {@code ; charset=utf-8} for text
     */
    public static String headerValue(String type) {
        return isText(type) && !type.equals("image/x-icon") ? type + "; charset=utf-8" : type;
    }
}
