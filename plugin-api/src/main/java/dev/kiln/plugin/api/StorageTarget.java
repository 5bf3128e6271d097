package dev.kiln.plugin.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Keeps deployments' files and hands them back for serving. Every method may block (it is called
 * from worker threads) and must be safe to call from several threads at once.
 *
 * <p>A deployment's files are stored under an artifact key chosen by Kiln (for example
 * {@code my-site/42}); paths inside it use {@code /} and never contain {@code ..}.
 */
public interface StorageTarget {

    /**
     * Stores every regular file under {@code directory}, replacing anything stored under the key.
     * When this returns, {@link #open} finds every file.
     *
     * @param artifactKey where to store
     * @param directory the build output
     * @return how many files and bytes were stored
     * @throws StorageException when storing failed; Kiln fails the deployment with its message
     */
    StoredArtifact store(String artifactKey, Path directory) throws StorageException;

    /**
     * Opens one stored file.
     *
     * @param artifactKey the deployment's key
     * @param path the file's path inside the artifact, for example {@code css/site.css}
     * @return the file, or empty when there is no such file (a directory is no file)
     * @throws StorageException when the storage could not be read
     */
    Optional<StoredFile> open(String artifactKey, String path) throws StorageException;

    /**
     * Deletes everything stored under the key. Deleting a key that holds nothing succeeds.
     *
     * @param artifactKey the deployment's key
     * @throws StorageException when deleting failed
     */
    void delete(String artifactKey) throws StorageException;

    /**
     * Releases what the target holds (connections, threads, open files). The host calls it once,
     * when the plugin that supplied the target is stopped, disabled, replaced by an upgrade or
     * removed, after the last call on the target has returned and before the plugin's class
     * loader is closed; no method is called on the target afterwards. A failure is logged and
     * does not stop the plugin from being unloaded.
     *
     * <p>The default does nothing, for targets that hold nothing.
     */
    default void close() {
    }
}
