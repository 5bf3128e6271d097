package dev.kiln.core.sites;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import dev.kiln.plugin.api.StoredFile;
import io.vertx.core.buffer.Buffer;

/**
 * One file of a deployment, as found for serving: on this node's disk (then maybe held in memory
 * when small), or in remote storage (then streamed).
 */
final class SiteFile {

    private final String path;
    private final long size;
    private final Path local;
    private final StoredFile stored;
    private final Buffer bytes;
    private volatile Buffer gzipped;
    private volatile Validators validators;

    /**
     * What every answer with this file says about it, worked out once: a file belongs to one
     * deployment, so its type, tag and date never change.
     *
     * @param contentType the {@code Content-Type} value
     * @param text whether the type is text worth compressing
     * @param etag the strong {@code ETag}, quoted
     * @param lastModified the {@code Last-Modified} value
     */
    record Validators(CharSequence contentType, boolean text, String etag, CharSequence lastModified) {
    }

    SiteFile(String path, long size, Path local, StoredFile stored, Buffer bytes) {
        this.path = path;
        this.size = size;
        this.local = local;
        this.stored = stored;
        this.bytes = bytes;
    }

    /** The file's path inside the deployment, which decides its type. */
    String path() {
        return path;
    }

    long size() {
        return size;
    }

    /** The file on this node's disk, or null. */
    Path local() {
        return local;
    }

    /** The stored file, for streaming when not local. */
    StoredFile stored() {
        return stored;
    }

    /** The content, when small enough to be held in memory; or null. */
    Buffer bytes() {
        return bytes;
    }

    /**
     * This file's validators, made on first use.
     *
     * @param deploymentId the deployment the file belongs to
     * @param deployedAt when that deployment went out
     * @return the validators
     */
    Validators validators(long deploymentId, java.time.OffsetDateTime deployedAt) {
        Validators made = validators;
        if (made == null) {
            String bare = ContentTypes.bare(path);
            made = new Validators(io.vertx.core.http.HttpHeaders.createOptimized(ContentTypes.of(path)), ContentTypes.isText(bare),
                    "\"" + deploymentId + "-" + Long.toHexString(size) + "-" + Integer.toHexString(path.hashCode()) + "\"",
                    io.vertx.core.http.HttpHeaders.createOptimized(FileReply.httpDate(deployedAt)));
            validators = made;
        }
        return made;
    }

    /** The gzip of {@link #bytes()}, made once on first use. Only for files held in memory. */
    Buffer gzipped() {
        Buffer made = gzipped;
        if (made == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(64, size / 3));
            try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                gzip.write(bytes.getBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            made = Buffer.buffer(out.toByteArray());
            gzipped = made;
        }
        return made;
    }
}
