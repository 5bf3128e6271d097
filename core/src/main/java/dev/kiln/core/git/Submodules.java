package dev.kiln.core.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Checks out the submodules of an exported commit, recursively, at the commits the superproject
 * records, as {@code git submodule update --init --recursive} would. Each submodule's repository
 * gets a mirror of its own, named after the project's, fetched like the project's.
 *
 * <p>A {@code .gitmodules} is as untrusted as the rest of the repository: a submodule is written
 * only inside its superproject's directory, a {@code file://} URL is followed only when the
 * project's own repository is local (else any project could read this node's files and the other
 * projects' mirrors), and the depth and number of submodules are bounded.
 */
final class Submodules {

    static final int MAX_DEPTH = 8;
    static final int MAX_SUBMODULES = 100;
    private static final String SECTION = "submodule";

    private final GitMirrors mirrors;
    private final String projectKey;
    private final RepoUrls.Remote project;
    private int count;

    private Submodules(GitMirrors mirrors, String projectKey, RepoUrls.Remote project) {
        this.mirrors = mirrors;
        this.projectKey = projectKey;
        this.project = project;
    }

    /**
     * Checks out every submodule of an exported commit.
     *
     * @param mirrors where the submodules' mirrors live
     * @param projectKey the project's mirror key
     * @param remote the project's repository
     * @param exported the commit as written, with its submodules and {@code .gitmodules}
     * @param target the directory the commit was written to
     * @return what the submodules wrote, and a sentence per submodule
     * @throws GitException naming the submodule that could not be checked out
     */
    static ExportResult checkout(GitMirrors mirrors, String projectKey, RepoUrls.Remote remote, TreeExport.TreeCheckout exported, Path target)
            throws GitException {
        return new Submodules(mirrors, projectKey, remote).checkoutAll(remote, exported, target, "", 1);
    }

    /** What every submodule mirror of a project is named with first. */
    static String mirrorKeyPrefix(String projectKey) {
        return projectKey + "-sub-";
    }

    private ExportResult checkoutAll(RepoUrls.Remote superproject, TreeExport.TreeCheckout exported, Path target, String prefix, int depth)
            throws GitException {
        Config gitmodules = new Config();
        try {
            gitmodules.fromText(exported.gitmodules());
        } catch (ConfigInvalidException e) {
            throw new GitException(GitException.Kind.IO, "the .gitmodules of " + (prefix.isEmpty() ? "the repository" : "submodule '"
                    + prefix.substring(0, prefix.length() - 1) + "'") + " cannot be read: " + e.getMessage(), null);
        }
        ExportResult result = new ExportResult(0, 0, List.of(), List.of());
        for (Map.Entry<String, ObjectId> gitlink : exported.written().gitlinks().entrySet()) {
            String path = prefix + gitlink.getKey();
            Optional<String> url = urlOf(gitmodules, gitlink.getKey());
            if (url.isEmpty()) {
                // As git: a gitlink without a URL (a nested repository committed by mistake) is left empty.
                result = result.plus(new ExportResult(0, 0, List.of("skipped submodule '" + path + "': .gitmodules gives no URL for it"),
                        List.of()));
                continue;
            }
            if (depth > MAX_DEPTH || ++count > MAX_SUBMODULES) {
                throw failure(path, "more than " + MAX_SUBMODULES + " submodules or more than " + MAX_DEPTH + " levels of them");
            }
            RepoUrls.Remote remote = remote(path, superproject, url.get());
            Path directory = directoryFor(target, gitlink.getKey(), path);
            TreeExport.TreeCheckout checkout;
            try {
                checkout = mirrors.exportSubmodule(mirrorKey(remote), remote, gitlink.getValue(), directory);
            } catch (GitException e) {
                throw new GitException(e.kind(), "submodule '" + path + "' could not be checked out: " + e.getMessage(), e.getCause());
            }
            result = result.plus(checkout.written().result()).plus(new ExportResult(0, 0, List.of(),
                    List.of("submodule '" + path + "' at " + gitlink.getValue().name() + " from " + remote.display())));
            if (!checkout.written().gitlinks().isEmpty()) {
                result = result.plus(checkoutAll(remote, checkout, directory, path + "/", depth + 1));
            }
        }
        return result;
    }

    private static Optional<String> urlOf(Config gitmodules, String path) {
        for (String name : gitmodules.getSubsections(SECTION)) {
            if (path.equals(gitmodules.getString(SECTION, name, "path"))) {
                return Optional.ofNullable(gitmodules.getString(SECTION, name, "url")).filter(url -> !url.isBlank());
            }
        }
        return Optional.empty();
    }

    /** The submodule's repository: its URL, relative ones resolved against the superproject's, with the project's credentials on the project's host. */
    private RepoUrls.Remote remote(String path, RepoUrls.Remote superproject, String url) throws GitException {
        String absolute = url.startsWith("./") || url.startsWith("../") ? resolve(superproject, url) : url;
        Optional<String> problem = RepoUrls.validate(absolute);
        if (problem.isPresent()) {
            throw failure(path, "its URL in .gitmodules is not accepted: " + problem.get());
        }
        if (isLocal(absolute) && !isLocal(project.url())) {
            throw failure(path, "its URL " + RepoUrls.scrub(absolute) + " is a local path, which only a project whose own repository is local may use");
        }
        RepoUrls.Remote remote = RepoUrls.parse(absolute);
        // A submodule on the project's own host (github.com/owner/theme next to github.com/owner/site)
        // is read with the project's token, as a CI checkout does.
        if (!remote.hasCredentials() && project.hasCredentials() && !remote.ssh() && sameHost(remote.url(), project.url())) {
            return new RepoUrls.Remote(remote.url(), remote.display(), project.user(), project.password(), false);
        }
        return remote;
    }

    /** As git resolves {@code ../theme.git} against the superproject's URL: one path segment up per {@code ../}. */
    private static String resolve(RepoUrls.Remote superproject, String relative) {
        String base = superproject.url();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String rest = relative;
        while (true) {
            if (rest.startsWith("./")) {
                rest = rest.substring(2);
            } else if (rest.startsWith("../")) {
                rest = rest.substring(3);
                int cut = Math.max(base.lastIndexOf('/'), base.lastIndexOf(':'));
                // Never above the host: "https://host" has nothing left to go up from.
                if (cut > 0 && !base.substring(0, cut).endsWith("/") && !base.substring(0, cut).endsWith(":")) {
                    base = base.substring(0, cut);
                }
            } else {
                break;
            }
        }
        return base + (base.endsWith(":") ? "" : "/") + rest;
    }

    private static boolean isLocal(String url) {
        return url.toLowerCase(Locale.ROOT).startsWith("file:");
    }

    private static boolean sameHost(String first, String second) {
        return hostOf(first).equalsIgnoreCase(hostOf(second)) && first.regionMatches(true, 0, second, 0, first.indexOf("://") + 3);
    }

    private static String hostOf(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return "";
        }
        int end = url.indexOf('/', start + 3);
        return end < 0 ? url.substring(start + 3) : url.substring(start + 3, end);
    }

    /** The submodule's directory: inside its superproject's, through no symbolic link. */
    private static Path directoryFor(Path target, String relative, String path) throws GitException {
        Path directory = target.resolve(relative).normalize();
        try {
            Path realTarget = target.toRealPath();
            Files.createDirectories(directory.getParent());
            if (!directory.startsWith(target) || !directory.getParent().toRealPath().startsWith(realTarget)
                    || Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                throw failure(path, "its path is taken or leads outside the checkout");
            }
            return Files.createDirectory(directory);
        } catch (IOException e) {
            throw new GitException(GitException.Kind.IO, "submodule '" + path + "' could not be written: " + e.getMessage(), e);
        }
    }

    /** One mirror per repository URL and project: submodules of one project share it, projects never do. */
    private String mirrorKey(RepoUrls.Remote remote) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(remote.display().getBytes(StandardCharsets.UTF_8));
            return mirrorKeyPrefix(projectKey) + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static GitException failure(String path, String problem) {
        return new GitException(GitException.Kind.INVALID_URL, "submodule '" + path + "' could not be checked out: " + problem, null);
    }
}
