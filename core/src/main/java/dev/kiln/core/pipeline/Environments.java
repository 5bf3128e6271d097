package dev.kiln.core.pipeline;

import java.util.Locale;
import java.util.regex.Pattern;

import dev.kiln.core.sites.PublicUrls;
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
     * The URL serving the newest deployed deployment of a preview branch.
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
        // Path form, as PublicUrls' other URLs; the host form {branch}--{slug}.{domain} comes with the sites work.
        return urls.baseUrl() + "/sites/" + project.slug() + "/b/" + branchSlug(deployment.branch()) + "/";
    }

    /**
     * A branch name as it appears in a URL: lower case, every run of characters other than
     * {@code a-z0-9} one dash, trimmed; all digits get a {@code b-} prefix so it never reads as a
     * deployment id.
     *
     * @param branch the branch
     * @return the slug
     */
    public static String branchSlug(String branch) {
        String slug = branch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return slug.chars().allMatch(Character::isDigit) ? "b-" + slug : slug;
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
