package dev.kiln.core.github;

import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.Project;

/**
 * The deployment a request is about, and the URLs its statuses report, in the style of the path
 * set the request came by: Kiln's {@code /projects/{id}} or GitHub's {@code /repos/{owner}/{repo}}.
 *
 * @param project the deployment's project
 * @param deployment the deployment
 * @param repositoryUrl the absolute URL standing for the repository
 */
record Target(Project project, Deployment deployment, String repositoryUrl) {

    String deploymentUrl() {
        return repositoryUrl + "/deployments/" + deployment.id();
    }

    String statusesUrl() {
        return deploymentUrl() + "/statuses";
    }

    String statusUrl(long statusId) {
        return statusesUrl() + "/" + statusId;
    }
}
