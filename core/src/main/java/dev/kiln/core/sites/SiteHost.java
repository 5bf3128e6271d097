package dev.kiln.core.sites;

import java.util.Locale;
import java.util.Optional;

/**
 * What a host under the sites domain names: a project's production site, one deployment, or a
 * branch's preview. A custom domain has only its name until it is looked up.
 *
 * @param kind which of the four
 * @param slug the project's slug, or null for a custom domain
 * @param deploymentId the deployment, for {@link Kind#DEPLOYMENT}
 * @param branchSlug the branch slug, for {@link Kind#BRANCH}
 * @param host the host as requested (the domain, for {@link Kind#CUSTOM})
 */
public record SiteHost(Kind kind, String slug, Long deploymentId, String branchSlug, String host) {

    /** Between a deployment id or branch slug and the project's slug, in one DNS label. */
    static final String SEPARATOR = "--";

    /** What a site host names. */
    public enum Kind {
        /** {@code {slug}.{domain}}: the active deployment. */
        PRODUCTION,
        /** {@code {id}--{slug}.{domain}}: one deployment, immutable. */
        DEPLOYMENT,
        /** {@code {branch slug}--{slug}.{domain}}: the branch's newest deployed preview. */
        BRANCH,
        /** A verified custom domain: the active deployment. */
        CUSTOM
    }

    /**
     * Whether answers may be cached for a year: a deployment's files never change.
     *
     * @return true for a deployment host
     */
    public boolean immutable() {
        return kind == Kind.DEPLOYMENT;
    }

    /**
     * Reads a host: a single label under the sites domain is a site; any other host may be a
     * custom domain (the caller looks it up).
     *
     * @param host the lower-case host, without port
     * @param sitesDomain the sites domain
     * @return the site host; empty for the sites domain itself and for names that cannot be sites
     */
    public static Optional<SiteHost> parse(String host, String sitesDomain) {
        String suffix = "." + sitesDomain;
        if (!host.endsWith(suffix)) {
            return HostNames.valid(host) && !host.equals(sitesDomain) ? Optional.of(new SiteHost(Kind.CUSTOM, null, null, null, host))
                    : Optional.empty();
        }
        String label = host.substring(0, host.length() - suffix.length());
        if (label.isEmpty() || label.indexOf('.') >= 0) {
            return Optional.empty();
        }
        int separator = label.indexOf(SEPARATOR);
        if (separator < 0) {
            return Optional.of(new SiteHost(Kind.PRODUCTION, label, null, null, host));
        }
        String first = label.substring(0, separator);
        String slug = label.substring(separator + SEPARATOR.length());
        if (first.isEmpty() || slug.isEmpty()) {
            return Optional.empty();
        }
        if (first.chars().allMatch(Character::isDigit)) {
            if (first.length() > 18) {
                return Optional.empty();
            }
            return Optional.of(new SiteHost(Kind.DEPLOYMENT, slug, Long.parseLong(first), null, host));
        }
        return Optional.of(new SiteHost(Kind.BRANCH, slug, null, first, host));
    }

    /**
     * A branch's slug: lower case, every run of characters other than {@code a-z0-9} one
     * {@code -}, trimmed of {@code -}; all digits get a {@code b-} prefix so that it is never
     * read as a deployment id.
     *
     * @param branch the branch name
     * @return the slug
     */
    public static String branchSlug(String branch) {
        String slug = branch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.isEmpty()) {
            slug = "branch";
        }
        if (slug.chars().allMatch(Character::isDigit)) {
            slug = "b-" + slug;
        }
        // A DNS label holds 63 characters; keep room for the separator and the project's slug.
        return slug.length() > 40 ? slug.substring(0, 40).replaceAll("-+$", "") : slug;
    }
}
