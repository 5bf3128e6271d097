package dev.kiln.core.sites;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Host names as they arrive in {@code Host} headers and as users type custom domains. */
public final class HostNames {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private HostNames() {
    }

    /**
     * Whether a lower-case name is a valid DNS host name (labels of letters, digits and inner hyphens).
     *
     * @param name the name
     * @return true when valid
     */
    public static boolean valid(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The host of a {@code Host} header: lower case, without the port and a trailing dot.
     *
     * @param header the header, possibly null
     * @return the host, or empty when the header is missing or is an IPv6 literal
     */
    public static Optional<String> ofHeader(String header) {
        if (header == null || header.isEmpty() || header.startsWith("[")) {
            return Optional.empty();
        }
        int colon = header.indexOf(':');
        String host = (colon < 0 ? header : header.substring(0, colon)).toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.isEmpty() ? Optional.empty() : Optional.of(host);
    }
}
