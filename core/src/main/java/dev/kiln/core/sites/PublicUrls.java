package dev.kiln.core.sites;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * The URLs Kiln hands out. Every site has its own origin under the sites domain:
 * {@code {slug}.{domain}} serves the active deployment, {@code {id}--{slug}.{domain}} one
 * deployment forever, {@code {branch slug}--{slug}.{domain}} a branch's newest preview. They use
 * the public URL's scheme and port. The API stays at the public URL.
 *
 * @param baseUrl scheme, host and port of the API, without a trailing slash
 * @param sitesDomain the domain whose subdomains are sites, such as {@code localhost}
 */
public record PublicUrls(String baseUrl, String sitesDomain) {

    /** The sites domain when none is set: browsers and curl send {@code *.localhost} to 127.0.0.1. */
    public static final String DEFAULT_SITES_DOMAIN = "localhost";

    /**
     * Strips a trailing slash and a trailing dot; lower-cases the domain.
     */
    public PublicUrls {
        Objects.requireNonNull(baseUrl, "baseUrl");
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        sitesDomain = normalizeDomain(sitesDomain == null || sitesDomain.isBlank() ? DEFAULT_SITES_DOMAIN : sitesDomain);
        if (!HostNames.valid(sitesDomain)) {
            throw new IllegalArgumentException("the sites domain must be a host name such as sites.example.com, got '" + sitesDomain + "'");
        }
    }

    /**
     * URLs with the default sites domain.
     *
     * @param baseUrl the API's base URL
     */
    public PublicUrls(String baseUrl) {
        this(baseUrl, DEFAULT_SITES_DOMAIN);
    }

    /**
     * The URL serving the project's active deployment.
     *
     * @param slug the project's slug
     * @return the URL, ending in {@code /}
     */
    public String productionUrl(String slug) {
        return siteUrl(slug);
    }

    /**
     * The immutable URL of one deployment.
     *
     * @param slug the project's slug
     * @param deploymentId the deployment
     * @return the URL, ending in {@code /}
     */
    public String deploymentUrl(String slug, long deploymentId) {
        return siteUrl(deploymentId + SiteHost.SEPARATOR + slug);
    }

    /**
     * The URL serving the newest deployed preview of a branch.
     *
     * @param slug the project's slug
     * @param branch the branch name
     * @return the URL, ending in {@code /}
     */
    public String branchUrl(String slug, String branch) {
        return siteUrl(SiteHost.branchSlug(branch) + SiteHost.SEPARATOR + slug);
    }

    /**
     * The API URL of a deployment's logs.
     *
     * @param projectId the project
     * @param deploymentId the deployment
     * @return the URL
     */
    public String logsUrl(long projectId, long deploymentId) {
        return baseUrl + "/api/v1/public/projects/" + projectId + "/deployments/" + deploymentId + "/logs";
    }

    private String siteUrl(String label) {
        URI base = URI.create(baseUrl);
        String scheme = base.getScheme() == null ? "http" : base.getScheme();
        int port = base.getPort();
        boolean defaultPort = port < 0 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        return scheme + "://" + label + "." + sitesDomain + (defaultPort ? "" : ":" + port) + "/";
    }

    static String normalizeDomain(String domain) {
        String lower = domain.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
