package dev.kiln.core.api;

import dev.kiln.core.KilnException;
import dev.kiln.core.sites.CustomDomains;
import dev.kiln.core.store.DomainStore;
import dev.kiln.core.store.DomainStore.Domain;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /projects/{id}/domains}: a project's custom domains. */
final class DomainsHandler {

    private final ProjectsHandler projects;
    private final CustomDomains service;
    private final DomainStore domains;

    DomainsHandler(ProjectsHandler projects, CustomDomains service, DomainStore domains) {
        this.projects = projects;
        this.service = service;
        this.domains = domains;
    }

    void mount(Router router) {
        router.get("/projects/:projectId/domains").handler(this::list);
        router.post("/projects/:projectId/domains").handler(this::add);
        router.post("/projects/:projectId/domains/:domainId/verify").handler(this::verify);
        router.delete("/projects/:projectId/domains/:domainId").handler(this::delete);
    }

    private void list(RoutingContext context) {
        projects.readable(context)
                .compose(project -> service.list(project.id()))
                .onSuccess(list -> {
                    JsonArray items = new JsonArray();
                    list.forEach(domain -> items.add(view(domain)));
                    Responses.data(context, 200, items);
                })
                .onFailure(context::fail);
    }

    private void add(RoutingContext context) {
        JsonObject body = Requests.body(context, false);
        for (String field : body.fieldNames()) {
            if (!field.equals("domain") && !field.equals("verified")) {
                throw KilnException.invalid(field, "unknown field; send domain and, with an admin token, verified");
            }
        }
        if (!(body.getValue("domain") instanceof String domain) || domain.isBlank()) {
            throw KilnException.invalid("domain", "is required: a host name such as www.example.com");
        }
        Object verified = body.getValue("verified");
        if (verified != null && !(verified instanceof Boolean)) {
            throw KilnException.invalid("verified", "must be true or false");
        }
        boolean skip = Boolean.TRUE.equals(verified);
        if (skip) {
            Auth.requireAdmin(context);
        }
        projects.writable(context)
                .compose(project -> service.add(project.id(), domain, skip))
                .onSuccess(added -> Responses.data(context, 201, view(added)))
                .onFailure(context::fail);
    }

    private void verify(RoutingContext context) {
        projects.writable(context)
                .compose(project -> find(context, project.id()))
                .compose(service::verify)
                .onSuccess(domain -> Responses.data(context, 200, view(domain)))
                .onFailure(context::fail);
    }

    private void delete(RoutingContext context) {
        projects.writable(context)
                .compose(project -> find(context, project.id()).compose(domain -> domains.delete(project.id(), domain.id())))
                .onSuccess(deleted -> context.response().setStatusCode(204).end())
                .onFailure(context::fail);
    }

    private Future<Domain> find(RoutingContext context, long projectId) {
        long domainId = Requests.pathId(context, "domainId", "domain");
        return domains.find(projectId, domainId).compose(found -> found.map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(KilnException.notFound("domain " + domainId + " of project " + projectId))));
    }

    static JsonObject view(Domain domain) {
        return new JsonObject()
                .put("id", domain.id())
                .put("project_id", domain.projectId())
                .put("domain", domain.domain())
                .put("is_verified", domain.verifiedAt() != null)
                .put("verification_token", domain.verificationToken())
                .put("verification_record", CustomDomains.RECORD_PREFIX + domain.domain())
                .put("created_at", Responses.timestamp(domain.createdAt()))
                .put("verified_at", Responses.timestamp(domain.verifiedAt()));
    }
}
