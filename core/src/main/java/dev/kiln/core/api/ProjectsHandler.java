package dev.kiln.core.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.KilnException;
import dev.kiln.core.git.GitMirrors;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.StoredArtifactRef;
import dev.kiln.core.store.TokenStore.Token;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /projects}: create, list, read, change, delete. */
final class ProjectsHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectsHandler.class);

    private final Vertx vertx;
    private final ProjectStore projects;
    private final ProjectRequests requests;
    private final Views views;
    private final PluginHost plugins;
    private final GitMirrors git;
    private final Path cacheDirectory;

    ProjectsHandler(Vertx vertx, ProjectStore projects, PluginHost plugins, GitMirrors git, Views views, Path cacheDirectory) {
        this.cacheDirectory = cacheDirectory;
        this.vertx = vertx;
        this.projects = projects;
        this.requests = new ProjectRequests(plugins);
        this.views = views;
        this.plugins = plugins;
        this.git = git;
    }

    void mount(Router router) {
        router.post("/projects").handler(this::create);
        router.get("/projects").handler(this::list);
        router.get("/projects/:projectId").handler(this::get);
        router.patch("/projects/:projectId").handler(this::update);
        router.delete("/projects/:projectId").handler(this::delete);
        router.delete("/projects/:projectId/cache").handler(this::clearCache);
    }

    /** Loads a project the caller may read, or fails with 404. */
    Future<Project> readable(RoutingContext context) {
        long id = Requests.pathId(context, "projectId", "project");
        Auth.checkRead(context, id);
        return projects.find(id).compose(found -> found
                .map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(KilnException.notFound("project " + id))));
    }

    /** Loads a project the caller may change: 403 for a project it cannot use, 404 for none. */
    Future<Project> writable(RoutingContext context) {
        long id = Requests.pathId(context, "projectId", "project");
        if (Auth.token(context).canAccess(id)) {
            return projects.find(id).compose(found -> found
                    .map(Future::succeededFuture)
                    .orElseGet(() -> Future.failedFuture(KilnException.notFound("project " + id))));
        }
        Auth.checkWrite(context, id);
        throw new IllegalStateException("unreachable");
    }

    private void create(RoutingContext context) {
        Token token = Auth.token(context);
        if (!token.admin() && token.projectIds() != null) {
            throw new KilnException(dev.kiln.core.ErrorCode.FORBIDDEN, "this token is limited to some projects and cannot create new ones");
        }
        var settings = requests.create(Requests.body(context, false));
        checkRemote(context, settings.repoUrl(), null)
                .compose(v -> projects.create(settings))
                .onSuccess(project -> Responses.data(context, 201, views.project(project)))
                .onFailure(context::fail);
    }

    /** A new repository URL on this machine or its network: for admins only (DNS may answer slowly). */
    private Future<Void> checkRemote(RoutingContext context, String repoUrl, String current) {
        if (repoUrl.equals(current)) {
            return Future.succeededFuture();
        }
        boolean admin = Auth.token(context).admin();
        return vertx.<java.util.Optional<String>>executeBlocking(() -> git.refusal(repoUrl, admin), false)
                .compose(refusal -> refusal.isEmpty() ? Future.succeededFuture()
                        : Future.failedFuture(KilnException.invalid("repo_url", refusal.get())));
    }

    private void list(RoutingContext context) {
        var paging = Requests.paging(context);
        Token token = Auth.token(context);
        Long[] visible = token.admin() || token.projectIds() == null ? null : token.projectIds().toArray(Long[]::new);
        projects.list(paging.page(), paging.perPage(), visible)
                .onSuccess(page -> {
                    JsonArray items = new JsonArray();
                    page.items().forEach(project -> items.add(views.project(project)));
                    Responses.page(context, page, items);
                })
                .onFailure(context::fail);
    }

    private void get(RoutingContext context) {
        readable(context)
                .onSuccess(project -> Responses.data(context, 200, views.project(project)))
                .onFailure(context::fail);
    }

    private void update(RoutingContext context) {
        var body = Requests.body(context, false);
        writable(context)
                .compose(project -> {
                    var settings = requests.update(project.settings(), body);
                    return checkRemote(context, settings.repoUrl(), project.settings().repoUrl())
                            .compose(v -> projects.update(project.id(), settings));
                })
                .onSuccess(project -> Responses.data(context, 200, views.project(project)))
                .onFailure(context::fail);
    }

    private void delete(RoutingContext context) {
        writable(context)
                .compose(project -> projects.delete(project.id()).map(artifacts -> {
                    // Files and the mirror go after the rows: a failure here leaves garbage, never a
                    // project whose deployments lost their files.
                    vertx.executeBlocking(() -> {
                        deleteArtifacts(artifacts);
                        git.deleteMirror("project-" + project.id());
                        deleteCache(project.id());
                        return null;
                    }, false);
                    return project;
                }))
                .onSuccess(project -> context.response().setStatusCode(204).end())
                .onFailure(context::fail);
    }

    /** Empties the project's build cache on this node; the next build starts cold. */
    private void clearCache(RoutingContext context) {
        writable(context)
                .compose(project -> vertx.executeBlocking(() -> {
                    deleteCache(project.id());
                    return null;
                }, false))
                .onSuccess(done -> context.response().setStatusCode(204).end())
                .onFailure(context::fail);
    }

    private void deleteCache(long projectId) throws IOException {
        Path cache = cacheDirectory.resolve("project-" + projectId);
        if (!Files.exists(cache)) {
            return;
        }
        // Moved aside first, so a build starting now gets a fresh, empty cache rather than half of one.
        Path trash = cacheDirectory.resolve(".trash-" + projectId + "-" + UUID.randomUUID());
        Files.move(cache, trash, StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> paths = Files.walk(trash)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private void deleteArtifacts(List<StoredArtifactRef> artifacts) {
        for (StoredArtifactRef artifact : artifacts) {
            plugins.storage(artifact.storage()).ifPresent(storage -> {
                try {
                    storage.delete(artifact.artifactKey());
                } catch (Exception e) {
                    LOG.warn("Could not delete artifact {} from '{}': {}", artifact.artifactKey(), artifact.storage(), e.getMessage());
                }
            });
        }
    }
}
