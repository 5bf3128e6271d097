package dev.kiln.core.github;

import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.StatusStore;
import dev.kiln.core.store.TokenStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * GitHub-compatible deployment statuses, so that an unmodified GitHub client can use Kiln. They
 * are served at GitHub's own paths under {@link #BASE} (as GitHub Enterprise Server mounts them)
 * and at Kiln's {@code /projects/{id}/deployments/{deployment_id}/statuses}; on both, requests
 * and answers, errors included, are GitHub's, not Kiln's envelope.
 */
public final class GithubApi {

    /** Where GitHub's paths are mounted. */
    public static final String BASE = "/api/v3";

    static final long MAX_BODY_BYTES = 1024 * 1024;

    private static final String KILN_DEPLOYMENT = "/projects/:projectId/deployments/:deploymentId";
    private static final String KILN_STATUSES = "^/projects/[^/]+/deployments/[^/]+/statuses(/.*)?$";
    private static final String REPOS_DEPLOYMENT = "/repos/:owner/:repo/deployments/:deploymentId";

    private GithubApi() {
    }

    /**
     * The services the endpoints use.
     *
     * @param tokens tokens
     * @param projects projects
     * @param deployments deployments
     * @param statuses statuses
     * @param urls Kiln's public URLs
     * @param failures failed authentications per client address, shared with Kiln's API
     */
    public record Services(TokenStore tokens, ProjectStore projects, DeploymentStore deployments, StatusStore statuses,
                           PublicUrls urls, FailedAuthentications failures) {
    }

    /** Failed authentications per client address: a wrong token here counts as one on Kiln's API. */
    public interface FailedAuthentications {

        /**
         * Seconds until the address may try again.
         *
         * @param address the client's address
         * @return 0 when it may now
         */
        long retryAfterSeconds(String address);

        /**
         * Records a wrong token.
         *
         * @param address the client's address
         */
        void failed(String address);
    }

    /**
     * The router of GitHub's paths, to be mounted at {@link #BASE}. Everything under it answers in
     * GitHub's shapes, an unknown path too.
     *
     * @param vertx the Vert.x instance
     * @param services the services
     * @return the router
     */
    public static Router router(Vertx vertx, Services services) {
        Router router = Router.router(vertx);
        GithubAuth auth = new GithubAuth(services.tokens(), services.failures());
        router.route().handler(auth::checkRateLimit);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.route().handler(auth::authenticate);
        new StatusesHandler(Locators.repos(services.projects(), services.deployments(), services.urls().baseUrl() + BASE),
                services.statuses(), new StatusViews(services.urls().baseUrl()))
                .mount(router, REPOS_DEPLOYMENT);
        router.route().handler(GithubErrors::notFound);
        router.route().failureHandler(GithubErrors::failure);
        return router;
    }

    /**
     * Adds the statuses endpoints at Kiln's paths to Kiln's API router. Call it before that router's
     * own body and authentication handlers: these paths authenticate and fail in GitHub's way.
     *
     * @param router Kiln's API router
     * @param apiBase the path that router is mounted at, such as {@code /api/v1/public}
     * @param services the services
     */
    public static void mountKilnPaths(Router router, String apiBase, Services services) {
        router.routeWithRegex(KILN_STATUSES)
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(new GithubAuth(services.tokens(), services.failures())::authenticate)
                .failureHandler(GithubErrors::failure);
        new StatusesHandler(Locators.kiln(services.projects(), services.deployments(), services.urls().baseUrl() + apiBase),
                services.statuses(), new StatusViews(services.urls().baseUrl()))
                .mount(router, KILN_DEPLOYMENT);
        // Other methods and deeper paths under .../statuses: GitHub's 404, not Kiln's envelope.
        router.routeWithRegex(KILN_STATUSES).handler(GithubErrors::notFound);
    }
}
