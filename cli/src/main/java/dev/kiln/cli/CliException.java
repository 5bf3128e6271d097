package dev.kiln.cli;

/**
 * A failure the CLI reports as one line on stderr, with the exit code it ends with.
 * Messages say what failed and what to do; they never carry a stack trace.
 */
class CliException extends RuntimeException {

    /** The command line is wrong or incomplete: an option, a project or a login is missing. */
    static final int USAGE = 2;
    /** The operation failed: the server refused it, or a deployment failed. */
    static final int FAILED = 1;

    private final int exitCode;

    CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(message, USAGE);
    }

    static CliException failed(String message) {
        return new CliException(message, FAILED);
    }

    int exitCode() {
        return exitCode;
    }
}
