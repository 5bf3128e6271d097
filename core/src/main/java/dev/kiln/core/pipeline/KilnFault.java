package dev.kiln.core.pipeline;

/** A failure Kiln itself caused (as opposed to the user's build). */
final class KilnFault extends Exception {
    private static final long serialVersionUID = 1L;

    KilnFault(String message, Throwable cause) {
        super(message, cause);
    }
}
