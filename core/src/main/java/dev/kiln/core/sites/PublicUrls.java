package dev.kiln.core.sites;

/**
 * The URLs Kiln hands out: sites are served under {@code /sites/{slug}/} (the active deployment)
 * and {@code /sites/{slug}/d/{deployment id}/} (one deployment, forever), which works on
 * {@code localhost} with no DNS set-up.
 *
 * @param baseUrl scheme, host and port, without a trailing slash
 */
public record PublicUrls(String baseUrl) {

    /**
     * Strips a trailing slash.
     */
    public PublicUrls {
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /**
     * The URL serving the project's active deployment.
     *
     * @param slug the project's slug
     * @return the URL, ending in {@code /}
     */
    public String productionUrl(String slug) {
        return baseUrl + "/sites/" + slug + "/";
    }

    /**
     * The immutable URL of one deployment.
     *
     * @param slug the project's slug
     * @param deploymentId the deployment
     * @return the URL, ending in {@code /}
     */
    public String deploymentUrl(String slug, long deploymentId) {
        return baseUrl + "/sites/" + slug + "/d/" + deploymentId + "/";
    }

    /**
     * The API URL of a deployment's logs.
     *
     * @param projectId the project
     * @param deploymentId the deployment
     * @return the URL
     */
    public String logsUrl(long projectId, long deploymentId) {
        return baseUrl + "/api/v1/public/projects/" + projectId + "/deployments/" + deploymentId + "/logs";
    }
}
