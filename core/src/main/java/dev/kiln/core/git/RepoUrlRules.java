package dev.kiln.core.git;

import java.net.UnknownHostException;
import java.util.Optional;

/**
 * What Kiln accepts as a repository URL, without any network access except DNS for
 * {@link #isLocal}: validation, whether a remote is local, and the credentials a URL carries.
 */
public final class RepoUrlRules {

    private RepoUrlRules() {
    }

    /**
     * Checks a repository URL without any network access. Accepted: {@code https://}, {@code http://},
     * {@code ssh://}, {@code file:///absolute/path} and {@code user@host:path}; http(s) URLs may carry
     * credentials as {@code https://user:token@host/path}.
     *
     * @param repoUrl the URL
     * @return a sentence saying what is wrong (never repeating credentials), or empty if the URL is fine
     */
    public static Optional<String> validateUrl(String repoUrl) {
        return RepoUrls.validate(repoUrl);
    }

    /**
     * Whether a URL reaches this machine or its private network: {@code file://}, or a host that is or
     * resolves to a loopback, private, link-local (cloud metadata) or unspecified address. Blocking: it may
     * ask DNS.
     *
     * @param repoUrl an accepted URL
     * @return true for a local remote
     */
    public static boolean isLocal(String repoUrl) {
        if (repoUrl == null || RepoUrls.validate(repoUrl).isPresent()) {
            return false;
        }
        Optional<String> host = RepoUrls.host(repoUrl);
        if (host.isEmpty()) {
            return true;
        }
        try {
            for (java.net.InetAddress address : java.net.InetAddress.getAllByName(host.get())) {
                if (isPrivate(address)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            // Not local now; a fetch of it fails with "unknown host".
            return false;
        }
    }

    private static boolean isPrivate(java.net.InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
                || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            // 100.64.0.0/10, carrier-grade NAT, often a provider's internal network
            return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
        }
        // fc00::/7, IPv6 unique local addresses
        return (bytes[0] & 0xfe) == 0xfc;
    }

    /**
     * A repository URL split into what may be stored as is and its credentials.
     *
     * @param url the URL without credentials
     * @param credentials the raw userinfo ({@code user:token}) to keep apart, or null when there are none
     */
    public record SplitUrl(String url, String credentials) {

        /**
         * The URL again with its credentials.
         *
         * @return the URL as the user gave it
         */
        public String joined() {
            if (credentials == null) {
                return url;
            }
            int schemeEnd = url.indexOf("://") + 3;
            return url.substring(0, schemeEnd) + credentials + "@" + url.substring(schemeEnd);
        }
    }

    /**
     * Splits the credentials off a repository URL: a password or token, with the user name it goes with. A
     * plain {@code ssh://git@host} login name is no credential and stays.
     *
     * @param repoUrl an accepted URL
     * @return the parts
     */
    public static SplitUrl split(String repoUrl) {
        if (repoUrl == null || RepoUrls.validate(repoUrl).isPresent() || credentialsOf(repoUrl).isEmpty()) {
            return new SplitUrl(repoUrl, null);
        }
        int schemeEnd = repoUrl.indexOf("://") + 3;
        int at = repoUrl.lastIndexOf('@', repoUrl.indexOf('/', schemeEnd) < 0 ? repoUrl.length() : repoUrl.indexOf('/', schemeEnd));
        if (schemeEnd < 3 || at < schemeEnd) {
            return new SplitUrl(repoUrl, null);
        }
        return new SplitUrl(repoUrl.substring(0, schemeEnd) + repoUrl.substring(at + 1), repoUrl.substring(schemeEnd, at));
    }

    /**
     * The secret parts of a repository URL: its password, or a token given as the user name.
     *
     * @param repoUrl an accepted URL
     * @return the values to mask wherever the URL's text may show
     */
    public static java.util.List<String> credentialsOf(String repoUrl) {
        if (repoUrl == null || RepoUrls.validate(repoUrl).isPresent()) {
            return java.util.List.of();
        }
        RepoUrls.Remote remote = RepoUrls.parse(repoUrl);
        java.util.List<String> secrets = new java.util.ArrayList<>();
        if (remote.password() != null && !remote.password().isEmpty()) {
            secrets.add(remote.password());
        } else if (remote.password() != null && remote.user() != null) {
            secrets.add(remote.user());
        }
        return secrets;
    }

    /**
     * A repository URL as it may be shown: the user name kept, the password masked; a token given as the user
     * name masked.
     *
     * @param repoUrl an accepted URL
     * @param mask what replaces a credential
     * @return the URL to show
     */
    public static String masked(String repoUrl, String mask) {
        if (repoUrl == null || RepoUrls.validate(repoUrl).isPresent()) {
            return repoUrl;
        }
        RepoUrls.Remote remote = RepoUrls.parse(repoUrl);
        if (remote.user() == null || remote.password() == null) {
            return repoUrl;
        }
        String userInfo = remote.password().isEmpty() ? mask : remote.user() + ":" + mask;
        int schemeEnd = remote.display().indexOf("://") + 3;
        return remote.display().substring(0, schemeEnd) + userInfo + "@" + remote.display().substring(schemeEnd);
    }
}
