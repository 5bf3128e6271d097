package dev.kiln.core;

/**
 * An error with a code and a sentence for the user; the API writes it as the error envelope.
 */
public final class KilnException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * An error.
     *
     * @param code the code and status
     * @param message a human sentence naming the problem
     */
    public KilnException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /**
     * The error's code.
     *
     * @return the code
     */
    public ErrorCode code() {
        return code;
    }

    /**
     * A 404 for a resource.
     *
     * @param what for example "project 12"
     * @return the error
     */
    public static KilnException notFound(String what) {
        return new KilnException(ErrorCode.NOT_FOUND, what + " not found");
    }

    /**
     * A 422 naming a field.
     *
     * @param field the field
     * @param problem what is wrong with it
     * @return the error
     */
    public static KilnException invalid(String field, String problem) {
        return new KilnException(ErrorCode.VALIDATION_ERROR, field + ": " + problem);
    }

    /**
     * A 409.
     *
     * @param message what conflicts
     * @return the error
     */
    public static KilnException conflict(String message) {
        return new KilnException(ErrorCode.CONFLICT, message);
    }
}
