package dev.kiln.core.pipeline;

import java.util.regex.Pattern;

import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.sites.SiteHost;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.TriggerSettings.PreviewBranches;

/**
 * The preview rule: only deployments of a project's production branch ({@code default_branch})
 * may become its active deployment; a deployment of any other branch is a preview, served at its
 * own URL and its branch's URL, and never changes production.
 */
public final class Environments {

    /** The environment of the production branch's deployments. */
    public static final String PRODUCTION = "production";
    /** The environment of every other branch's deployments. */
    public static final String PREVIEW = "preview";

    private Environments() {
    }

    /**
     * The environment of a deployment of a branch.
     *
     * @param project the project
     * @param branch the branch
     * @return {@link #PRODUCTION} or {@link #PREVIEW}
     */
    public static String of(Project project, String branch) {
        return isProduction(project, branch) ? PRODUCTION : PREVIEW;
    }

    /**
     * Whether a branch is the project's production branch.
     *
     * @param project the project
     * @param branch the branch
     * @return true for {@code default_branch}
     */
    public static boolean isProduction(Project project, String branch) {
        return project.settings().defaultBranch().equals(branch);
    }

    /**
     * Whether a push to a non-production branch deploys a preview, by the project's
     * {@code preview_branches}: {@code *} matches within a path segment, {@code **} across them.
     *
     * @param project the project
     * @param branch the branch
     * @return true when previews of it are wanted
     */
    public static boolean previewWanted(Project project, String branch) {
        PreviewBranches wanted = project.triggers().previewBranches();
        return wanted.all() || wanted.patterns().stream().anyMatch(pattern -> glob(pattern).matcher(branch).matches());
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
        return PRODUCTION.equals(deployment.environment()) && isProduction(project, deployment.branch());
    }

    /**
     * The URL serving the newest deployed deployment of a preview branch,
     * {@code {branch slug}--{slug}.{sites domain}}.
     *
     * @param urls the public URLs
     * @param project the project
     * @param deployment a deployment of the branch
     * @return the URL, or null for a production deployment or a removed preview
     */
    public static String branchUrl(PublicUrls urls, Project project, Deployment deployment) {
        if (PRODUCTION.equals(deployment.environment()) || deployment.previewRemoved()) {
            return null;
        }
        return urls.branchUrl(project.slug(), deployment.branch());
    }

    /**
     * A branch name as it appears in a host name (see {@link SiteHost#branchSlug(String)}).
     *
     * @param branch the branch
     * @return the slug
     */
    public static String branchSlug(String branch) {
        return SiteHost.branchSlug(branch);
    }

    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
