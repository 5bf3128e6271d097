package dev.kiln.plugin.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One stored file, ready to be served.
 */
public interface StoredFile {

    /**
     * The file's size.
     *
     * @return its length in bytes
     */
    long size();

    /**
     * The file on this node's file system, when the target keeps it there; Kiln then sends it
     * with zero copy.
     *
     * @return the path, or empty for remote storage
     */
    default Optional<Path> localPath() {
        return Optional.empty();
    }

    /**
     * Opens the file's content. The caller closes the stream.
     *
     * @return the content
     * @throws IOException when it cannot be read
     */
    InputStream openStream() throws IOException;
}
