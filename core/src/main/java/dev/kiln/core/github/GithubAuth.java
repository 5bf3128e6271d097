package dev.kiln.core.github;

import dev.kiln.core.AuthorizationHeader;
import dev.kiln.core.store.TokenStore;
import dev.kiln.core.store.TokenStore.Token;
import io.vertx.ext.web.RoutingContext;

/**
 * Authentication on the GitHub-compatible endpoints: {@code Authorization: token <t>} as GitHub
 * clients send it, or {@code Bearer <t>}, failing with GitHub's 401 bodies.
 */
final class GithubAuth {

    private static final String TOKEN_KEY = "github.token";

    private final TokenStore tokens;
    private final GithubApi.FailedAuthentications failures;

    GithubAuth(TokenStore tokens, GithubApi.FailedAuthentications failures) {
        this.tokens = tokens;
        this.failures = failures;
    }

    /** Refuses every request from an address that sent too many wrong tokens of late (here or on Kiln's API). */
    void checkRateLimit(RoutingContext context) {
        long retryAfter = failures.retryAfterSeconds(clientAddress(context));
        if (retryAfter > 0) {
            context.response().putHeader("Retry-After", String.valueOf(retryAfter));
            context.fail(GithubError.loginAttemptsExceeded());
            return;
        }
        context.next();
    }

    private static String clientAddress(RoutingContext context) {
        var address = context.request().remoteAddress();
        return address == null ? "unknown" : address.hostAddress();
    }

    void authenticate(RoutingContext context) {
        String header = context.request().getHeader("Authorization");
        if (header == null || header.isBlank()) {
            context.fail(GithubError.requiresAuthentication());
            return;
        }
        String plain = AuthorizationHeader.token(header);
        if (plain == null) {
            context.fail(GithubError.badCredentials());
            return;
        }
        tokens.authenticate(plain).onComplete(result -> {
            if (result.failed()) {
                context.fail(result.cause());
            } else if (result.result().isEmpty()) {
                failures.failed(clientAddress(context));
                context.fail(GithubError.badCredentials());
            } else {
                context.put(TOKEN_KEY, result.result().get());
                context.next();
            }
        });
    }

    static Token token(RoutingContext context) {
        return context.get(TOKEN_KEY);
    }
}
