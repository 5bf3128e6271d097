package dev.kiln.core.git;

/**
 * Keeps credentials out of messages and out of the causes attached to a {@link GitException}, which
 * end up in logs with their whole chain.
 */
final class Redacted extends Exception {

    private static final long serialVersionUID = 1L;
    private static final int MIN_SECRET_LENGTH = 4;

    private Redacted(String message, Throwable cause, StackTraceElement[] stackTrace) {
        super(message, cause);
        setStackTrace(stackTrace);
    }

    /** The text without any URL userinfo and without the remote's password or token anywhere in it. */
    static String scrub(String text, RepoUrls.Remote remote) {
        String out = RepoUrls.scrub(text);
        if (remote != null) {
            // A token given as the user name alone is as secret as a password.
            String secret = remote.password() != null && !remote.password().isEmpty() ? remote.password()
                    : remote.password() != null ? remote.user() : null;
            if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }

    /**
     * The exception itself when no message in its chain holds a credential; otherwise a copy of the chain
     * with the credentials removed, keeping each original's class name and stack trace.
     */
    static Throwable chain(Throwable e, RepoUrls.Remote remote) {
        if (e == null || clean(e, remote)) {
            return e;
        }
        Throwable cause = e.getCause() == e ? null : chain(e.getCause(), remote);
        String message = e.getMessage() == null ? null : scrub(e.getMessage(), remote);
        return new Redacted(e.getClass().getName() + (message == null ? "" : ": " + message), cause, e.getStackTrace());
    }

    private static boolean clean(Throwable e, RepoUrls.Remote remote) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !message.equals(scrub(message, remote))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        // The message already starts with the original class name.
        return getMessage();
    }
}
