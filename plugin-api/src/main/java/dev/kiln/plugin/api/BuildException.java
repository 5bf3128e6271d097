package dev.kiln.plugin.api;

/**
 * A build that did not produce its output. The message becomes the deployment's
 * {@code error_message}, so it says what failed in words a user can act on (for example
 * "npm run build exited with code 1" followed by the last lines of output).
 */
public class BuildException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * A failure with a message for the user.
     *
     * @param message what failed
     */
    public BuildException(String message) {
        super(message);
    }

    /**
     * A failure with a message for the user and its cause.
     *
     * @param message what failed
     * @param cause the underlying error
     */
    public BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
