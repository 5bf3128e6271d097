package dev.kiln.core.github;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.KilnException;
import dev.kiln.core.store.DatabaseHealth;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * The failure handler of the GitHub-compatible endpoints: every error leaves in GitHub's shape,
 * with the documentation URL of the operation that failed.
 */
final class GithubErrors {

    static final String JSON = "application/json; charset=utf-8";
    static final String REST_DOCS = "https://docs.github.com/rest";

    private static final Logger LOG = LoggerFactory.getLogger(GithubErrors.class);
    private static final String DOCS_KEY = "github.documentation_url";

    private GithubErrors() {
    }

    /** Names the operation a request is for, so its errors link to its documentation. */
    static void documentedAt(RoutingContext context, String url) {
        context.put(DOCS_KEY, url);
    }

    static void failure(RoutingContext context) {
        GithubError error = translate(context);
        String docs = context.get(DOCS_KEY);
        if (context.response().headWritten()) {
            context.response().reset();
            return;
        }
        context.response().setStatusCode(error.status()).putHeader("Content-Type", JSON)
                .end(error.body(docs == null ? REST_DOCS : docs).encode());
    }

    static void notFound(RoutingContext context) {
        context.fail(GithubError.notFound());
    }

    private static GithubError translate(RoutingContext context) {
        Throwable failure = context.failure();
        if (failure instanceof GithubError github) {
            return github;
        }
        if (failure instanceof KilnException kiln) {
            // The stores speak Kiln's codes; only the ones a request can cause reach here.
            return switch (kiln.code()) {
                case NOT_FOUND -> GithubError.notFound();
                case FORBIDDEN -> GithubError.notAccessible();
                case UNAUTHORIZED -> GithubError.badCredentials();
                case BAD_REQUEST -> GithubError.problemsParsingJson();
                // Kiln's API limited the address before this path's own authentication ran.
                case RATE_LIMITED -> GithubError.loginAttemptsExceeded();
                case UNAVAILABLE -> GithubError.unavailable();
                default -> logged(context, failure);
            };
        }
        if (DatabaseHealth.isOutage(failure)) {
            return GithubError.unavailable();
        }
        int status = failure instanceof HttpException http ? http.getStatusCode() : failure == null ? context.statusCode() : -1;
        return switch (status) {
            case 400 -> GithubError.problemsParsingJson();
            case 404, 405 -> GithubError.notFound();
            case 413 -> GithubError.tooLarge();
            default -> logged(context, failure);
        };
    }

    private static GithubError logged(RoutingContext context, Throwable failure) {
        LOG.error("Unexpected error on {} {}", context.request().method(), context.request().path(), failure);
        return GithubError.serverError();
    }
}
