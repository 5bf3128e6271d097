package dev.kiln.plugin.s3;

import java.net.URLConnection;

import dev.kiln.plugin.api.WebContentTypes;

/**
 * The Content-Type stored with each object, so that the bucket is also usable behind a CDN or
 * as a static website: Kiln's own table ({@link WebContentTypes}, what Kiln sends for the same
 * file), then the JDK's guess, never the host's MIME database.
 */
final class ContentTypes {

    private ContentTypes() {
    }

    static String of(String path) {
        String known = WebContentTypes.of(path);
        if (known != null) {
            return WebContentTypes.headerValue(known);
        }
        String guessed = URLConnection.guessContentTypeFromName(path.substring(path.lastIndexOf('/') + 1));
        return guessed != null ? guessed : WebContentTypes.UNKNOWN;
    }
}
