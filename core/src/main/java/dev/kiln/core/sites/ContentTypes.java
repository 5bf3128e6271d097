package dev.kiln.core.sites;

import dev.kiln.plugin.api.WebContentTypes;
import io.vertx.core.http.MimeMapping;

/**
 * The {@code Content-Type} of served files, and which of them are text worth compressing: the web's
 * common types from {@link WebContentTypes} (shared with storage plugins), then Vert.x's table.
 */
final class ContentTypes {

    private ContentTypes() {
    }

    /**
     * The type of a file by its name, with {@code charset=utf-8} for text.
     *
     * @param path the file's path
     * @return the header value
     */
    static String of(String path) {
        return WebContentTypes.headerValue(bare(path));
    }

    /**
     * Whether a type is text that compresses well.
     *
     * @param type a type without parameters
     * @return true for text
     */
    static boolean isText(String type) {
        return WebContentTypes.isText(type);
    }

    /**
     * The type without parameters.
     *
     * @param path the file's path
     * @return the type; {@code application/octet-stream} when unknown
     */
    static String bare(String path) {
        String known = WebContentTypes.of(path);
        if (known != null) {
            return known;
        }
        String type = MimeMapping.mimeTypeForFilename(path);
        return type == null ? WebContentTypes.UNKNOWN : type;
    }
}
