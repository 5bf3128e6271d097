package dev.kiln.plugin.api;

/**
 * Thrown by {@link CommandRunner} when the build ran past the project's
 * {@code build_timeout_seconds}. The process tree has been killed by then.
 */
public final class BuildTimeoutException extends BuildException {

    private static final long serialVersionUID = 1L;

    /**
     * A build that ran out of time.
     *
     * @param message what was running and the limit it passed
     */
    public BuildTimeoutException(String message) {
        super(message);
    }
}
