package dev.kiln.plugin.api;

/**
 * Thrown by {@link CommandRunner} when the deployment was cancelled while a process ran.
 * A builder lets it propagate; Kiln marks the deployment {@code cancelled}, not {@code failed}.
 */
public final class BuildCancelledException extends BuildException {

    private static final long serialVersionUID = 1L;

    /**
     * A cancelled build.
     *
     * @param message what was running when it was cancelled
     */
    public BuildCancelledException(String message) {
        super(message);
    }
}
