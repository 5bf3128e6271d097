package dev.kiln.core;

/** The API token in an {@code Authorization} header, as Kiln's API and the GitHub-compatible one read it. */
public final class AuthorizationHeader {

    private AuthorizationHeader() {
    }

    /**
     * The token of a {@code Bearer <t>} header, or of GitHub's {@code token <t>}.
     *
     * @param header the header's value, may be null
     * @return the token, or null when the header names none
     */
    public static String token(String header) {
        if (header == null) {
            return null;
        }
        String trimmed = header.trim();
        int space = trimmed.indexOf(' ');
        if (space <= 0) {
            return null;
        }
        String scheme = trimmed.substring(0, space);
        if (!scheme.equalsIgnoreCase("Bearer") && !scheme.equalsIgnoreCase("token")) {
            return null;
        }
        String plain = trimmed.substring(space + 1).trim();
        return plain.isEmpty() ? null : plain;
    }
}
