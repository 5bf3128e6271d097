package dev.kiln.cli;

/** The server answered with an error envelope (or no envelope at all). */
final class ApiError extends CliException {

    private final int status;
    private final String code;
    private final String serverMessage;

    ApiError(int status, String code, String serverMessage, String message) {
        super(message, FAILED);
        this.status = status;
        this.code = code;
        this.serverMessage = serverMessage;
    }

    int status() {
        return status;
    }

    /** The envelope's code, such as {@code not_found}; null when the answer had none. */
    String code() {
        return code;
    }

    /** The envelope's message as the server wrote it. */
    String serverMessage() {
        return serverMessage;
    }

    /** The server has no such endpoint: it runs a Kiln without this feature. */
    boolean missingEndpoint() {
        return status == 404 && serverMessage != null && serverMessage.startsWith("no endpoint ");
    }
}
