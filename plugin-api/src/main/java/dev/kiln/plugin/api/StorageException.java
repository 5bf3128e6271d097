package dev.kiln.plugin.api;

/**
 * A storage target that could not do what was asked. The message is shown to users.
 */
public class StorageException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * A failure with a message.
     *
     * @param message what failed
     */
    public StorageException(String message) {
        super(message);
    }

    /**
     * A failure with a message and its cause.
     *
     * @param message what failed
     * @param cause the underlying error
     */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
