package dev.kiln.core.sites;

import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Sends one file as a static host does: validators ({@code ETag}, {@code Last-Modified}) and
 * {@code 304}, single byte ranges ({@code 206}, {@code 416}), gzip or a precompressed {@code .br}
 * / {@code .gz} sibling for text types only (with {@code Vary: Accept-Encoding}), the cache
 * policy of the host, and the site's own {@code _headers}. Files not on this node's disk are
 * streamed, never read whole.
 *
 * @param file the file
 * @param status 200, or 404 for a not-found page
 * @param immutable whether the host serves one deployment forever
 * @param deploymentId the deployment, part of the {@code ETag}
 * @param lastModified when the deployment went out
 * @param headers the site's headers for this path
 * @param brotli a {@code .br} sibling, or null
 * @param gzip a {@code .gz} sibling, or null
 */
record FileReply(SiteFile file, int status, boolean immutable, long deploymentId, OffsetDateTime lastModified,
                 List<Map.Entry<String, String>> headers, SiteFile brotli, SiteFile gzip) {

    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "public, max-age=0, must-revalidate";
    // Header names and fixed values encoded once, not on every answer.
    private static final CharSequence IMMUTABLE_VALUE = HttpHeaders.createOptimized(IMMUTABLE);
    private static final CharSequence REVALIDATE_VALUE = HttpHeaders.createOptimized(REVALIDATE);
    private static final CharSequence NO_SNIFF_HEADER = HttpHeaders.createOptimized("X-Content-Type-Options");
    private static final CharSequence NO_SNIFF = HttpHeaders.createOptimized("nosniff");
    private static final CharSequence ACCEPT_ENCODING = HttpHeaders.createOptimized("Accept-Encoding");
    private static final CharSequence BYTES = HttpHeaders.createOptimized("bytes");
    /** An HTTP-date (RFC 9110's IMF-fixdate: two-digit day, English names, GMT). */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);
    private static final int STREAM_CHUNK = 64 * 1024;

    /** Whether the request accepts an encoding (a {@code q} of 0 refuses it). */
    static boolean accepts(HttpServerRequest request, String encoding) {
        String header = request.getHeader(HttpHeaders.ACCEPT_ENCODING);
        if (header == null) {
            return false;
        }
        for (String part : header.split(",")) {
            String[] fields = part.trim().split(";");
            if (fields[0].trim().equalsIgnoreCase(encoding)) {
                for (int i = 1; i < fields.length; i++) {
                    String parameter = fields[i].trim().toLowerCase(Locale.ROOT);
                    if (parameter.startsWith("q=")) {
                        try {
                            return Double.parseDouble(parameter.substring(2)) > 0;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    }
                }
                return true;
            }
        }
        return false;
    }

    Future<Void> send(Vertx vertx, HttpServerRequest request) {
        HttpServerResponse response = request.response();
        SiteFile.Validators validators = file.validators(deploymentId, lastModified);
        boolean text = validators.text();
        String etag = validators.etag();
        MultiMap out = response.headers();
        out.set(HttpHeaders.CONTENT_TYPE, validators.contentType());
        out.set(NO_SNIFF_HEADER, NO_SNIFF);
        out.set(HttpHeaders.CACHE_CONTROL, immutable && status == 200 ? IMMUTABLE_VALUE : REVALIDATE_VALUE);
        if (text) {
            out.set(HttpHeaders.VARY, ACCEPT_ENCODING);
        }
        if (status == 200) {
            out.set(HttpHeaders.ACCEPT_RANGES, BYTES);
            out.set(HttpHeaders.LAST_MODIFIED, validators.lastModified());
        }
        for (Map.Entry<String, String> header : headers) {
            out.set(header.getKey(), header.getValue());
        }
        response.setStatusCode(status);
        if (status == 200) {
            out.set(HttpHeaders.ETAG, etag);
            if (notModified(request, etag)) {
                out.remove(HttpHeaders.CONTENT_TYPE);
                return response.setStatusCode(304).end();
            }
            String range = request.getHeader("Range");
            if (range != null && ifRangeHolds(request, etag)) {
                long[] bounds = Ranges.parse(range, file.size());
                if (bounds == Ranges.UNSATISFIABLE) {
                    out.set(HttpHeaders.CONTENT_RANGE, "bytes */" + file.size());
                    out.remove(HttpHeaders.CONTENT_TYPE);
                    return response.setStatusCode(416).end();
                }
                if (bounds != null) {
                    out.set(HttpHeaders.CONTENT_RANGE, "bytes " + bounds[0] + "-" + (bounds[0] + bounds[1] - 1) + "/" + file.size());
                    response.setStatusCode(206);
                    return body(vertx, request, file, bounds[0], bounds[1]);
                }
            }
        }
        if (text) {
            if (brotli != null && accepts(request, "br")) {
                return encoded(vertx, request, brotli, "br", etag);
            }
            if (accepts(request, "gzip")) {
                if (gzip != null) {
                    return encoded(vertx, request, gzip, "gzip", etag);
                }
                if (file.bytes() != null && file.size() > 0) {
                    Buffer compressed = file.gzipped();
                    out.set(HttpHeaders.CONTENT_ENCODING, "gzip");
                    if (status == 200) {
                        out.set(HttpHeaders.ETAG, etag.substring(0, etag.length() - 1) + "-gzip\"");
                    }
                    out.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(compressed.length()));
                    return request.method() == HttpMethod.HEAD ? response.end() : response.end(compressed);
                }
            }
        }
        return body(vertx, request, file, 0, file.size());
    }

    private Future<Void> encoded(Vertx vertx, HttpServerRequest request, SiteFile sibling, String encoding, String etag) {
        MultiMap out = request.response().headers();
        out.set(HttpHeaders.CONTENT_ENCODING, encoding);
        if (status == 200) {
            out.set(HttpHeaders.ETAG, etag.substring(0, etag.length() - 1) + "-" + encoding + "\"");
        }
        return body(vertx, request, sibling, 0, sibling.size());
    }

    private static Future<Void> body(Vertx vertx, HttpServerRequest request, SiteFile file, long offset, long length) {
        HttpServerResponse response = request.response();
        if (request.method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
            return response.end();
        }
        if (file.bytes() != null) {
            return response.end(offset == 0 && length == file.bytes().length() ? file.bytes()
                    : file.bytes().slice((int) offset, (int) (offset + length)));
        }
        if (file.local() != null) {
            return response.sendFile(file.local().toString(), offset, length);
        }
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
        return stream(vertx, response, file, offset, length);
    }

    /** Copies a remote file to the response a chunk at a time, waiting while the client is slow. */
    private static Future<Void> stream(Vertx vertx, HttpServerResponse response, SiteFile file, long offset, long length) {
        Promise<Void> done = Promise.promise();
        vertx.executeBlocking(() -> {
            InputStream in = file.stored().openStream();
            in.skipNBytes(offset);
            return in;
        }, false).onSuccess(in -> pump(vertx, response, in, length, done)).onFailure(done::fail);
        return done.future();
    }

    private static void pump(Vertx vertx, HttpServerResponse response, InputStream in, long remaining, Promise<Void> done) {
        vertx.executeBlocking(() -> in.readNBytes((int) Math.min(STREAM_CHUNK, remaining)), false).onComplete(read -> {
            if (read.failed() || (read.result().length == 0 && remaining > 0) || response.closed()) {
                close(in);
                response.reset();
                done.tryFail(read.failed() ? read.cause() : new java.io.IOException("the stored file ended early"));
                return;
            }
            long left = remaining - read.result().length;
            response.write(Buffer.buffer(read.result()));
            if (left <= 0) {
                close(in);
                response.end().onComplete(done);
            } else if (response.writeQueueFull()) {
                response.drainHandler(drained -> pump(vertx, response, in, left, done));
            } else {
                pump(vertx, response, in, left, done);
            }
        });
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (java.io.IOException e) {
            // nothing to do
        }
    }

    private boolean notModified(HttpServerRequest request, String etag) {
        String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            String bare = etag.substring(1, etag.length() - 1);
            for (String candidate : ifNoneMatch.split(",")) {
                String tag = candidate.trim();
                if (tag.equals("*")) {
                    return true;
                }
                tag = tag.startsWith("W/") ? tag.substring(2) : tag;
                tag = tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"") ? tag.substring(1, tag.length() - 1) : tag;
                // The tags of the compressed forms name the same file.
                if (tag.equals(bare) || tag.equals(bare + "-gzip") || tag.equals(bare + "-br")) {
                    return true;
                }
            }
            return false;
        }
        String ifModifiedSince = request.getHeader(HttpHeaders.IF_MODIFIED_SINCE);
        if (ifModifiedSince != null && lastModified != null) {
            try {
                ZonedDateTime since = ZonedDateTime.parse(ifModifiedSince.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return lastModified.toInstant().getEpochSecond() <= since.toInstant().getEpochSecond();
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return false;
    }

    private boolean ifRangeHolds(HttpServerRequest request, String etag) {
        String ifRange = request.getHeader("If-Range");
        if (ifRange == null) {
            return true;
        }
        if (ifRange.trim().startsWith("\"")) {
            return ifRange.trim().equals(etag);
        }
        try {
            return lastModified != null && ZonedDateTime.parse(ifRange.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
                    .getEpochSecond() >= lastModified.toInstant().getEpochSecond();
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    static String httpDate(OffsetDateTime time) {
        return HTTP_DATE.format((time == null ? OffsetDateTime.now() : time).atZoneSameInstant(ZoneOffset.UTC));
    }
}
