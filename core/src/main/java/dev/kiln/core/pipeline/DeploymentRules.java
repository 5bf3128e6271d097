package dev.kiln.core.pipeline;

import java.util.Optional;

import dev.kiln.core.KilnException;
import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.Project;

/**
 * Production and previews, in one place: only deployments of the project's production branch
 * ({@code default_branch}) ever become the active deployment; a deployment of any other branch is
 * a preview, served at its deployment URL and at its branch's URL, never at the production URL.
 */
public final class DeploymentRules {

    /** The environment of deployments of the production branch. */
    public static final String PRODUCTION = "production";
    /** The environment of deployments of every other branch. */
    public static final String PREVIEW = "preview";

    private DeploymentRules() {
    }

    /**
     * The environment of a new deployment of a branch.
     *
     * @param project the project
     * @param branch the branch deployed
     * @return {@link #PRODUCTION} or {@link #PREVIEW}
     */
    public static String environment(Project project, String branch) {
        return project.environmentFor(branch);
    }

    /**
     * Whether a deployment may become the project's active one: it was made as a production
     * deployment and its branch is still the production branch.
     *
     * @param project the project as it is now
     * @param deployment the deployment
     * @return true when it may go live
     */
    public static boolean mayGoLive(Project project, Deployment deployment) {
        return PRODUCTION.equals(deployment.environment()) && project.settings().defaultBranch().equals(deployment.branch());
    }

    /**
     * Refuses to make a preview live by a rollback (or a promotion).
     *
     * @param project the project
     * @param deployment the deployment asked for
     * @throws KilnException a validation error naming {@code deployment_id} for a preview
     */
    public static void checkMayGoLive(Project project, Deployment deployment) {
        if (!mayGoLive(project, deployment)) {
            throw KilnException.invalid("deployment_id", "deployment " + deployment.id() + " is a preview of branch '"
                    + deployment.branch() + "'; only deployments of the production branch '"
                    + project.settings().defaultBranch() + "' can be made active");
        }
    }

    /**
     * Where a preview's branch is served.
     *
     * @param urls the URL scheme
     * @param project the project
     * @param deployment the deployment
     * @return the branch URL; empty for a production deployment
     */
    public static Optional<String> branchUrl(PublicUrls urls, Project project, Deployment deployment) {
        return PREVIEW.equals(deployment.environment()) ? Optional.of(urls.branchUrl(project.slug(), deployment.branch()))
                : Optional.empty();
    }
}
