package dev.kiln.core.git;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Repository URLs as Kiln accepts them, and the parts of them that may be shown or stored.
 */
final class RepoUrls {

    static final int MAX_LENGTH = 2048;

    private static final Set<String> SCHEMES = Set.of("https", "http", "ssh", "file");
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://");
    private static final Pattern SCP = Pattern.compile("([A-Za-z0-9._~+-]+)@([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]):(.+)");
    // Greedy up to the last '@' before the path, so a raw '@' inside a password is stripped too.
    private static final Pattern USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/\\s?#]*@");
    private static final String ACCEPTED = "use https://, http://, ssh://, file:// or git@host:path";

    private RepoUrls() {
    }

    /**
     * A URL split into what may be stored and shown and what must stay in memory.
     *
     * @param url what the mirror's remote is configured with: no password, and for http(s) no user either
     * @param display the URL for messages: no userinfo at all
     * @param user the user name to authenticate with, or null
     * @param password the password or token, or null
     * @param ssh true for ssh:// and git@host:path
     */
    record Remote(String url, String display, String user, String password, boolean ssh) {

        boolean hasCredentials() {
            return user != null && password != null;
        }

        @Override
        public String toString() {
            return display;
        }
    }

    static Optional<String> validate(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("the repository URL is empty");
        }
        if (url.length() > MAX_LENGTH) {
            return Optional.of("the repository URL is longer than " + MAX_LENGTH + " characters");
        }
        if (url.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return Optional.of("the repository URL must not contain spaces or control characters");
        }
        Matcher scheme = SCHEME.matcher(url);
        if (scheme.lookingAt()) {
            return validateHierarchical(url, scheme.group(1).toLowerCase(Locale.ROOT));
        }
        if (url.contains("://")) {
            return Optional.of("the repository URL has an unsupported scheme; " + ACCEPTED);
        }
        Matcher scp = SCP.matcher(url);
        if (scp.matches()) {
            // A leading dash would be read as an option by an ssh program (CVE-2017-1000117).
            if (scp.group(1).startsWith("-") || scp.group(2).startsWith("-")) {
                return Optional.of("the repository URL's user or host must not start with '-'");
            }
            return Optional.empty();
        }
        return Optional.of("the repository URL is not one Kiln accepts; " + ACCEPTED);
    }

    private static Optional<String> validateHierarchical(String url, String scheme) {
        if (!SCHEMES.contains(scheme)) {
            return Optional.of("the repository URL scheme '" + scheme + "' is not supported; " + ACCEPTED);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // getReason() and not getMessage(): the message repeats the input, credentials included.
            return Optional.of("the repository URL is not a valid URL: " + e.getReason().toLowerCase(Locale.ROOT));
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("the repository URL must not contain a fragment ('#...')");
        }
        if (uri.getRawQuery() != null) {
            return Optional.of("the repository URL must not contain a query ('?...')");
        }
        String path = uri.getPath();
        if (scheme.equals("file")) {
            if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
                return Optional.of("a file:// repository URL must not name a host; write file:///absolute/path");
            }
            if (path == null || path.isEmpty() || path.equals("/")) {
                return Optional.of("the repository URL must name the repository's directory");
            }
            return Optional.empty();
        }
        if (uri.getHost() == null || uri.getHost().startsWith("-")) {
            return Optional.of("the repository URL has no valid host name");
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            return Optional.of("the repository URL's port must be between 1 and 65535");
        }
        if (path == null || path.isEmpty() || path.equals("/")) {
            return Optional.of("the repository URL must include the repository's path, e.g. " + scheme + "://host/owner/repo.git");
        }
        return Optional.empty();
    }

    /** Splits a URL that {@link #validate} accepted. */
    static Remote parse(String url) {
        Matcher scheme = SCHEME.matcher(url);
        if (!scheme.lookingAt()) {
            return new Remote(url, url, null, null, true);
        }
        String name = scheme.group(1).toLowerCase(Locale.ROOT);
        URI uri = URI.create(url);
        String rawUserInfo = uri.getRawUserInfo();
        if (rawUserInfo == null) {
            return new Remote(url, url, null, null, name.equals("ssh"));
        }
        int colon = rawUserInfo.indexOf(':');
        String user = decode(colon < 0 ? rawUserInfo : rawUserInfo.substring(0, colon));
        String password = colon < 0 ? null : decode(rawUserInfo.substring(colon + 1));
        String display = withUserInfo(uri, null);
        if (name.equals("ssh")) {
            // ssh needs the login name in the URL; only a password is kept out of it.
            return new Remote(withUserInfo(uri, colon < 0 ? rawUserInfo : rawUserInfo.substring(0, colon)), display, user, password, true);
        }
        // A token given as the user name alone (https://TOKEN@host/...) is sent with an empty password, as git does.
        return new Remote(display, display, user, password == null ? "" : password, false);
    }

    /**
     * The host a URL that {@link #validate} accepted connects to.
     *
     * @return the host name or address (IPv6 without brackets); empty for {@code file://}
     */
    static Optional<String> host(String url) {
        Matcher scheme = SCHEME.matcher(url);
        String host;
        if (!scheme.lookingAt()) {
            Matcher scp = SCP.matcher(url);
            if (!scp.matches()) {
                return Optional.empty();
            }
            host = scp.group(2);
        } else if (scheme.group(1).equalsIgnoreCase("file")) {
            return Optional.empty();
        } else {
            host = URI.create(url).getHost();
        }
        if (host == null) {
            return Optional.empty();
        }
        return Optional.of(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
    }

    /** Removes the userinfo of every URL in a text, such as a JGit error message. */
    static String scrub(String text) {
        return text == null ? "" : USERINFO.matcher(text).replaceAll("$1");
    }

    private static String withUserInfo(URI uri, String rawUserInfo) {
        StringBuilder out = new StringBuilder(uri.getScheme()).append("://");
        if (rawUserInfo != null && !rawUserInfo.isEmpty()) {
            out.append(rawUserInfo).append('@');
        }
        out.append(uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1));
        out.append(uri.getRawPath());
        return out.toString();
    }

    private static String decode(String raw) {
        // URLDecoder would turn '+' into a space, which is wrong in userinfo.
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
