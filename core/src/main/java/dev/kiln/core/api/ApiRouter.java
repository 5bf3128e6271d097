package dev.kiln.core.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.github.GithubApi;
import dev.kiln.core.pipeline.DeploymentService;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.sites.CustomDomains;
import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.store.DatabaseHealth;
import dev.kiln.core.store.DomainStore;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.NodeStore;
import dev.kiln.core.store.NotificationStore;
import dev.kiln.core.store.PhaseStore;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.StatusStore;
import dev.kiln.core.store.TokenStore;
import dev.kiln.core.store.WebhookDeliveries;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;

/**
 * Kiln's REST API under {@code /api/v1/public}.
 */
public final class ApiRouter {

    /** The API's base path. */
    public static final String BASE = "/api/v1/public";
    static final long MAX_BODY_BYTES = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

    private ApiRouter() {
    }

    /**
     * The services the API uses.
     *
     * @param tokens tokens
     * @param projects projects
     * @param deployments deployments
     * @param plugins builders and storage targets
     * @param urls public URLs
     * @param nodes the build farm's nodes
     * @param statuses GitHub-compatible deployment statuses
     * @param deploymentService trigger, cancel, rollback, promote and project clean-up
     * @param webhookDeliveries the webhook deliveries handled
     * @param notifications subscriptions to deployment events
     * @param notificationsAllowLocal whether any token may subscribe loopback and private addresses
     * @param phases the statuses each deployment passed through
     * @param domainStore custom domains
     * @param customDomains adding and verifying custom domains
     * @param authFailures failed authentications per client address, shared with the GitHub-compatible paths
     */
    public record Services(TokenStore tokens, ProjectStore projects, DeploymentStore deployments, PluginHost plugins,
                           PublicUrls urls, NodeStore nodes, StatusStore statuses, DeploymentService deploymentService,
                           WebhookDeliveries webhookDeliveries, NotificationStore notifications, boolean notificationsAllowLocal,
                           PhaseStore phases, DomainStore domainStore, CustomDomains customDomains, AuthFailureLimit authFailures) {
    }

    /** Webhook bodies: GitHub caps a payload at 25 MB; a push of many commits approaches a few. */
    static final long MAX_HOOK_BODY_BYTES = 25L * 1024 * 1024;

    /**
     * The webhook endpoint, to be mounted at {@code /hooks/*} (its path in {@code webhook_url});
     * the API router serves it at {@code /hooks/{id}} under its base path too.
     *
     * @param vertx the Vert.x instance
     * @param services the services
     * @return the router
     */
    public static Router hooks(Vertx vertx, Services services) {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_HOOK_BODY_BYTES));
        hooksHandler(services).mount(router, "/:projectId");
        router.route().handler(context -> Responses.error(context, ErrorCode.NOT_FOUND,
                "no endpoint " + context.request().method() + " " + context.request().path()));
        router.route().failureHandler(ApiRouter::failure);
        return router;
    }

    private static HooksHandler hooksHandler(Services services) {
        return new HooksHandler(services.projects(), services.webhookDeliveries(), services.deploymentService());
    }

    /**
     * Builds the API router, to be mounted at {@link #BASE}.
     *
     * @param vertx the Vert.x instance
     * @param services the services
     * @return the router
     */
    public static Router create(Vertx vertx, Services services) {
        Router router = Router.router(vertx);
        // HEAD wherever GET works: routed as GET; the server sends the headers without the body.
        router.route().method(HttpMethod.HEAD).handler(context -> context.reroute(HttpMethod.GET, context.request().uri()));
        Auth auth = new Auth(services.tokens(), services.authFailures());
        router.route().handler(auth::checkRateLimit);
        router.route().handler(Requests::refuseForms);
        // GET /health is answered in front of this router, by the server (it knows the node and its database).
        OpenApiDocument.mount(router);
        // Before the body and auth handlers below: these paths authenticate and fail in GitHub's shapes.
        GithubApi.mountKilnPaths(router, BASE, new GithubApi.Services(services.tokens(), services.projects(),
                services.deployments(), services.statuses(), services.urls(), services.authFailures()));
        // Before auth: a delivery carries a signature, not a token.
        router.post("/hooks/:projectId").handler(BodyHandler.create(false).setBodyLimit(MAX_HOOK_BODY_BYTES));
        hooksHandler(services).mount(router, "/hooks/:projectId");
        PluginsHandler plugins = new PluginsHandler(vertx, services.plugins());
        plugins.mountUploadBody(router);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.route().handler(auth::authenticate);

        Views views = new Views(services.urls());
        ProjectsHandler projects = new ProjectsHandler(services.projects(), services.plugins(), services.deploymentService(), views);
        DeploymentsHandler deployments = new DeploymentsHandler(projects, services.deployments(), services.deploymentService(), views);
        new NodesHandler(services.nodes()).mount(router);
        projects.mount(router);
        new EnvVarsHandler(projects, services.projects().envVars()).mount(router);
        deployments.mount(router);
        new DomainsHandler(projects, services.customDomains(), services.domainStore()).mount(router);
        new LogStreamHandler(vertx, deployments, services.deployments()).mount(router);
        new PhasesHandler(deployments, services.phases()).mount(router);
        new TokensHandler(services.tokens()).mount(router);
        new NotificationsHandler(projects, services.notifications(), services.notificationsAllowLocal()).mount(router);
        plugins.mount(router);
        EndpointsHandler.mount(router);

        router.route().handler(context -> Responses.error(context, ErrorCode.NOT_FOUND,
                "no endpoint " + context.request().method() + " " + context.request().path()));
        router.route().failureHandler(ApiRouter::failure);
        return router;
    }

    static void failure(RoutingContext context) {
        Throwable error = context.failure();
        if (error instanceof KilnException kiln) {
            Responses.error(context, kiln);
        } else if (error instanceof HttpException http) {
            ErrorCode code = switch (http.getStatusCode()) {
                case 400 -> ErrorCode.BAD_REQUEST;
                case 401 -> ErrorCode.UNAUTHORIZED;
                case 404 -> ErrorCode.NOT_FOUND;
                case 405 -> ErrorCode.NOT_FOUND;
                case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                case 414 -> ErrorCode.URI_TOO_LONG;
                case 415 -> ErrorCode.BAD_REQUEST;
                case 431 -> ErrorCode.HEADERS_TOO_LARGE;
                default -> ErrorCode.INTERNAL_ERROR;
            };
            Long limit = context.get(PluginsHandler.BODY_LIMIT_KEY);
            String message = code == ErrorCode.PAYLOAD_TOO_LARGE
                    ? "the request body is larger than " + (limit != null ? limit : MAX_BODY_BYTES) + " bytes"
                    : http.getPayload() != null ? http.getPayload() : code.wireName().replace('_', ' ');
            Responses.error(context, code, message);
        } else if (error == null && context.statusCode() > 0) {
            ErrorCode code = context.statusCode() == 413 ? ErrorCode.PAYLOAD_TOO_LARGE
                    : context.statusCode() == 404 ? ErrorCode.NOT_FOUND : ErrorCode.BAD_REQUEST;
            Long limit = context.get(PluginsHandler.BODY_LIMIT_KEY);
            Responses.error(context, code, code == ErrorCode.PAYLOAD_TOO_LARGE
                    ? "the request body is larger than " + (limit != null ? limit : MAX_BODY_BYTES) + " bytes"
                    : code.wireName().replace('_', ' '));
        } else if (DatabaseHealth.isOutage(error)) {
            Responses.error(context, ErrorCode.UNAVAILABLE, "the database is unavailable; try again shortly");
        } else {
            LOG.error("Unexpected error on {} {}", context.request().method(), context.request().path(), error);
            Responses.error(context, ErrorCode.INTERNAL_ERROR, "internal error; the server log has the details");
        }
    }
}
