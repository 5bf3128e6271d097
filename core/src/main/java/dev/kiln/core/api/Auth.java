package dev.kiln.core.api;

import dev.kiln.core.AuthorizationHeader;
import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.store.TokenStore;
import dev.kiln.core.store.TokenStore.Token;
import io.vertx.ext.web.RoutingContext;

/**
 * Bearer token authentication ({@code Authorization: Bearer <t>}, and GitHub's {@code token <t>}),
 * and the access rules: a token without access to a project gets 404 on reads and 403 on writes.
 */
final class Auth {

    private static final String TOKEN_KEY = "kiln.token";

    private final TokenStore tokens;
    private final AuthFailureLimit failures;

    Auth(TokenStore tokens, AuthFailureLimit failures) {
        this.tokens = tokens;
        this.failures = failures;
    }

    /** Refuses every request from an address that failed to authenticate too often of late. */
    void checkRateLimit(RoutingContext context) {
        long retryAfter = failures.retryAfterSeconds(clientAddress(context));
        if (retryAfter > 0) {
            context.response().putHeader("Retry-After", String.valueOf(retryAfter));
            context.fail(new KilnException(ErrorCode.RATE_LIMITED, "too many failed authentications from this address; retry in "
                    + retryAfter + " s"));
            return;
        }
        context.next();
    }

    private static String clientAddress(RoutingContext context) {
        var address = context.request().remoteAddress();
        return address == null ? "unknown" : address.hostAddress();
    }

    void authenticate(RoutingContext context) {
        String plain = AuthorizationHeader.token(context.request().getHeader("Authorization"));
        if (plain == null) {
            // Not a guess: only wrong tokens count towards the limit.
            context.fail(new KilnException(ErrorCode.UNAUTHORIZED, "an API token is required: send 'Authorization: Bearer <token>'"));
            return;
        }
        tokens.authenticate(plain).onComplete(result -> {
            if (result.failed()) {
                context.fail(result.cause());
            } else if (result.result().isEmpty()) {
                failures.failed(clientAddress(context));
                context.fail(new KilnException(ErrorCode.UNAUTHORIZED, "the API token is not valid"));
            } else {
                context.put(TOKEN_KEY, result.result().get());
                context.next();
            }
        });
    }

    static Token token(RoutingContext context) {
        return context.get(TOKEN_KEY);
    }

    static void requireAdmin(RoutingContext context) {
        if (!token(context).admin()) {
            throw new KilnException(ErrorCode.FORBIDDEN, "this endpoint needs an admin token");
        }
    }

    /** Reads: a project the token cannot see does not exist for it. */
    static void checkRead(RoutingContext context, long projectId) {
        if (!token(context).canAccess(projectId)) {
            throw KilnException.notFound("project " + projectId);
        }
    }

    /** Writes: refuse openly. */
    static void checkWrite(RoutingContext context, long projectId) {
        if (!token(context).canAccess(projectId)) {
            throw new KilnException(ErrorCode.FORBIDDEN, "this token has no access to project " + projectId);
        }
    }
}
