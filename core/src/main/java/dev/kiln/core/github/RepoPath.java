package dev.kiln.core.github;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code {owner}/{repo}} a project answers to under {@code /api/v3/repos}: the last two path
 * segments of its repository URL, without {@code .git}. {@code https://github.com/acme/site.git},
 * {@code git@github.com:acme/site.git} and {@code file:///srv/git/acme/site/} all give {@code acme/site}.
 *
 * @param owner the owner segment, decoded
 * @param repo the repository segment, decoded, without {@code .git}
 */
record RepoPath(String owner, String repo) {

    private static final Pattern HIERARCHICAL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/]*(/[^?#]*)?.*");
    private static final Pattern SCP = Pattern.compile("[^/@:]+@[^/:]+:([^?#]*).*");

    /**
     * Reads a project's repository URL.
     *
     * @param repoUrl as stored
     * @return the owner and repository, or empty when the URL's path has fewer than two segments
     */
    static Optional<RepoPath> of(String repoUrl) {
        if (repoUrl == null) {
            return Optional.empty();
        }
        String path;
        Matcher hierarchical = HIERARCHICAL.matcher(repoUrl);
        Matcher scp = SCP.matcher(repoUrl);
        if (hierarchical.matches()) {
            path = hierarchical.group(1) == null ? "" : hierarchical.group(1);
        } else if (scp.matches()) {
            path = scp.group(1);
        } else {
            return Optional.empty();
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(decode(segment));
            }
        }
        if (segments.size() < 2) {
            return Optional.empty();
        }
        String owner = segments.get(segments.size() - 2);
        String repo = segments.get(segments.size() - 1);
        if (repo.endsWith(".git")) {
            repo = repo.substring(0, repo.length() - ".git".length());
        }
        return owner.isEmpty() || repo.isEmpty() ? Optional.empty() : Optional.of(new RepoPath(owner, repo));
    }

    /**
     * Whether a request's path names this repository; GitHub compares without regard to case.
     *
     * @param owner from the request path
     * @param repo from the request path
     * @return true when they match
     */
    boolean matches(String owner, String repo) {
        return this.owner.equalsIgnoreCase(owner) && this.repo.equalsIgnoreCase(repo);
    }

    private static String decode(String segment) {
        try {
            // Not a form: a '+' is a plus.
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }
}
