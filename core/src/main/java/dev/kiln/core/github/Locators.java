package dev.kiln.core.github;

import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.TokenStore.Token;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * Finds the deployment a request names, on either path set, with Kiln's access rules: a token
 * without access to the project gets 404 when reading and 403 when writing.
 */
final class Locators {

    private Locators() {
    }

    /** Finds a request's deployment. */
    interface Locator {

        /**
         * @param context the request, authenticated
         * @param write whether the request changes something
         * @return the target; fails with a {@link GithubError}
         */
        Future<Target> find(RoutingContext context, boolean write);
    }

    /** {@code /projects/{projectId}/deployments/{deploymentId}} under Kiln's API base. */
    static Locator kiln(ProjectStore projects, DeploymentStore deployments, String apiBaseUrl) {
        return (context, write) -> {
            long projectId = pathId(context, "projectId");
            checkAccess(context, projectId, write);
            long deploymentId = pathId(context, "deploymentId");
            return projects.find(projectId).compose(project -> project.isEmpty() ? Future.failedFuture(GithubError.notFound())
                    : deployments.find(projectId, deploymentId).compose(deployment -> deployment.isEmpty()
                            ? Future.failedFuture(GithubError.notFound())
                            : Future.succeededFuture(new Target(project.get(), deployment.get(),
                                    apiBaseUrl + "/projects/" + projectId))));
        };
    }

    /**
     * {@code /repos/{owner}/{repo}/deployments/{deploymentId}} under GitHub's base: the deployment
     * must belong to a project whose repository URL ends in that owner and repository.
     */
    static Locator repos(ProjectStore projects, DeploymentStore deployments, String apiBaseUrl) {
        return (context, write) -> {
            String owner = context.pathParam("owner");
            String repo = context.pathParam("repo");
            long deploymentId = pathId(context, "deploymentId");
            return deployments.find(deploymentId)
                    .compose(deployment -> deployment.isEmpty() ? Future.failedFuture(GithubError.notFound())
                            : projects.find(deployment.get().projectId()).compose(project -> {
                                RepoPath path = project.flatMap(found -> RepoPath.of(found.settings().repoUrl()))
                                        .filter(found -> found.matches(owner, repo))
                                        .orElse(null);
                                if (path == null) {
                                    return Future.failedFuture(GithubError.notFound());
                                }
                                Project found = project.get();
                                checkAccess(context, found.id(), write);
                                return Future.succeededFuture(new Target(found, deployment.get(), apiBaseUrl + "/repos/"
                                        + StatusViews.pathSegment(path.owner()) + "/" + StatusViews.pathSegment(path.repo())));
                            }));
        };
    }

    static long pathId(RoutingContext context, String name) {
        String value = context.pathParam(name);
        if (value != null && value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            long id = value.isEmpty() ? 0 : Long.parseLong(value);
            if (id > 0) {
                return id;
            }
        }
        throw GithubError.notFound();
    }

    private static void checkAccess(RoutingContext context, long projectId, boolean write) {
        Token token = GithubAuth.token(context);
        if (!token.canAccess(projectId)) {
            throw write ? GithubError.notAccessible() : GithubError.notFound();
        }
    }
}
