package dev.kiln.core;

/**
 * The error codes of Kiln's API, each with its HTTP status.
 */
public enum ErrorCode {
    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    CONFLICT(409),
    PAYLOAD_TOO_LARGE(413),
    URI_TOO_LONG(414),
    VALIDATION_ERROR(422),
    RATE_LIMITED(429),
    HEADERS_TOO_LARGE(431),
    INTERNAL_ERROR(500),
    UPSTREAM_ERROR(502),
    UNAVAILABLE(503);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /**
     * The HTTP status answered with this code.
     *
     * @return the status
     */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * The snake case code written in error bodies.
     *
     * @return the code
     */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
