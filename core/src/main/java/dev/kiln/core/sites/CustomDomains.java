package dev.kiln.core.sites;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

import javax.naming.NamingException;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.store.DomainStore;
import dev.kiln.core.store.DomainStore.Domain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Custom domains: a project serves its active deployment at a domain once the domain's owner has
 * shown control of it with the TXT record {@code _kiln-verification.{domain}} holding the
 * domain's verification token (admins may skip that).
 */
public final class CustomDomains {

    /** The label the verification TXT record lives under. */
    public static final String RECORD_PREFIX = "_kiln-verification.";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final DomainStore domains;
    private final TxtLookup dns;
    private final String sitesDomain;

    /**
     * The service.
     *
     * @param vertx the Vert.x instance
     * @param domains where domains are kept
     * @param dns how TXT records are read
     * @param sitesDomain the sites domain, whose names cannot be custom domains
     */
    public CustomDomains(Vertx vertx, DomainStore domains, TxtLookup dns, String sitesDomain) {
        this.vertx = vertx;
        this.domains = domains;
        this.dns = dns;
        this.sitesDomain = sitesDomain;
    }

    /**
     * Adds a domain to a project.
     *
     * @param projectId the project
     * @param requested the domain as sent
     * @param verified true to skip verification (admins only; the caller checks)
     * @return the domain; a validation error for a bad name, a conflict when any project uses it
     */
    public Future<Domain> add(long projectId, String requested, boolean verified) {
        String domain = PublicUrls.normalizeDomain(requested);
        if (!HostNames.valid(domain) || domain.indexOf('.') < 0) {
            return Future.failedFuture(KilnException.invalid("domain", "'" + requested + "' is not a host name such as www.example.com"));
        }
        if (domain.equals(sitesDomain) || domain.endsWith("." + sitesDomain)) {
            return Future.failedFuture(KilnException.invalid("domain", domain + " is under the sites domain " + sitesDomain
                    + ", where Kiln names sites itself"));
        }
        String token = "kiln-verify-" + HexFormat.of().formatHex(randomBytes());
        return domains.add(projectId, domain, token, verified);
    }

    /**
     * Checks a domain's TXT record and marks it verified when it holds the token.
     *
     * @param domain the domain
     * @return the domain, verified; a validation error saying what was found otherwise
     */
    public Future<Domain> verify(Domain domain) {
        if (domain.verifiedAt() != null) {
            return Future.succeededFuture(domain);
        }
        String name = RECORD_PREFIX + domain.domain();
        return vertx.executeBlocking(() -> {
            try {
                return dns.lookup(name);
            } catch (NamingException e) {
                throw new KilnException(ErrorCode.UPSTREAM_ERROR, "the DNS lookup of " + name + " failed: " + e.getMessage());
            }
        }, false).compose(values -> {
            if (values.contains(domain.verificationToken())) {
                return domains.markVerified(domain.id());
            }
            String found = values.isEmpty() ? "no TXT record" : "TXT " + String.join(", ", values.stream().limit(5).toList());
            return Future.failedFuture(KilnException.invalid("domain", "found " + found + " at " + name + "; add a TXT record there with the value "
                    + domain.verificationToken()));
        });
    }

    /**
     * A project's domains.
     *
     * @param projectId the project
     * @return the domains
     */
    public Future<List<Domain>> list(long projectId) {
        return domains.list(projectId);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
