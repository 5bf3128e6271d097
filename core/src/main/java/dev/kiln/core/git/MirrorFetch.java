package dev.kiln.core.git;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import dev.kiln.core.FileTrees;

import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.SubmoduleConfig.FetchRecurseSubmodulesMode;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.util.FS;

/**
 * Fetching into a bare mirror: creating it, pointing it at its remote, the fetch itself, and what a
 * failure is called in Kiln's words. Also the mirror directory's own helpers (open, discard), which
 * {@link GitMirrors} shares.
 */
final class MirrorFetch {

    private static final String REMOTE = "origin";

    private final int timeoutSeconds;
    private final int packLimit;

    MirrorFetch(int timeoutSeconds, int packLimit) {
        this.timeoutSeconds = timeoutSeconds;
        this.packLimit = packLimit;
    }

    /**
     * Fetches into a mirror, creating it first when there is none; a failed first fetch leaves nothing.
     * The caller holds the mirror's lock.
     *
     * @param dir the mirror
     * @param remote its repository
     * @param branch the branch to fetch, or null for every branch and tag
     * @throws GitException UNKNOWN_BRANCH, UNREACHABLE, INVALID_URL or IO
     */
    void fetch(Path dir, RepoUrls.Remote remote, String branch) throws GitException {
        // Without an SSH implementation on the class path JGit fails with a bare NullPointerException.
        if (remote.ssh() && SshSessionFactory.getInstance() == null) {
            throw new GitException(GitException.Kind.UNREACHABLE, "could not reach " + remote.display()
                    + ": this Kiln installation has no SSH support; use an https:// URL", null);
        }
        boolean fresh = !isMirror(dir);
        if (fresh) {
            create(dir, branch == null ? Constants.MASTER : branch);
        }
        try (Repository repo = open(dir)) {
            configure(repo, remote);
            fetchInto(repo, remote, branch);
        } catch (IOException e) {
            discardIf(fresh, dir);
            throw ioFailure("could not update the mirror of " + remote.display(), e);
        } catch (GitException | RuntimeException | Error e) {
            // A mirror without the branch would pass for a usable one, so a failed first fetch leaves nothing.
            discardIf(fresh, dir);
            throw e;
        }
    }

    private static void create(Path dir, String branch) throws GitException {
        try {
            // Whatever is there is not a repository: the rest of a crash or of a partial delete.
            discard(dir);
            Files.createDirectories(dir.getParent());
            Git.init().setBare(true).setDirectory(dir.toFile()).setInitialBranch(branch).call().close();
        } catch (GitAPIException | IOException | JGitInternalException e) {
            discard(dir);
            throw ioFailure("could not create a mirror in " + dir.getParent(), e);
        }
    }

    /**
     * Points the mirror at the URL and sets how it is repacked. JGit runs an automatic gc after every
     * fetch, and each fetch adds a pack; the settings keep that gc inside the fetch (detached, it would
     * run outside the key's lock and race exports and deletes) and let it delete replaced packs at once,
     * which is safe because nothing else reads the mirror meanwhile.
     */
    private void configure(Repository repo, RepoUrls.Remote remote) throws IOException {
        StoredConfig config = repo.getConfig();
        boolean changed = set(config, ConfigConstants.CONFIG_REMOTE_SECTION, REMOTE, ConfigConstants.CONFIG_KEY_URL, remote.url());
        changed |= set(config, ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTODETACH, "false");
        changed |= set(config, ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTOPACKLIMIT, Integer.toString(packLimit));
        changed |= set(config, ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_PRUNEPACKEXPIRE, "now");
        if (changed) {
            config.save();
        }
    }

    private static boolean set(StoredConfig config, String section, String subsection, String key, String value) {
        if (value.equals(config.getString(section, subsection, key))) {
            return false;
        }
        config.setString(section, subsection, key, value);
        return true;
    }

    /** Fetches one branch, or with a null branch every branch and tag (a submodule's commit may be on any). */
    private void fetchInto(Repository repo, RepoUrls.Remote remote, String branch) throws GitException {
        String ref = branch == null ? "" : Constants.R_HEADS + branch;
        FetchCommand fetch = Git.wrap(repo).fetch()
                .setRemote(REMOTE)
                .setRefSpecs(branch == null
                        ? List.of(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"))
                        : List.of(new RefSpec("+" + ref + ":" + ref)))
                .setTagOpt(TagOpt.NO_TAGS)
                .setRemoveDeletedRefs(false)
                .setRecurseSubmodules(FetchRecurseSubmodulesMode.NO)
                .setTimeout(timeoutSeconds);
        if (remote.hasCredentials()) {
            fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider(remote.user(), remote.password()));
        }
        try {
            fetch.call();
        } catch (InvalidRemoteException e) {
            if (find(e, NoRemoteRepositoryException.class) != null) {
                throw new GitException(GitException.Kind.UNREACHABLE,
                        "could not reach " + remote.display() + ": no Git repository there", Redacted.chain(e, remote));
            }
            throw new GitException(GitException.Kind.INVALID_URL,
                    "the repository URL " + remote.display() + " is not valid", Redacted.chain(e, remote));
        } catch (TransportException e) {
            if (branch != null && isMissingRef(e, ref)) {
                throw new GitException(GitException.Kind.UNKNOWN_BRANCH, branchNotFound(branch, remote), null);
            }
            throw new GitException(GitException.Kind.UNREACHABLE,
                    "could not reach " + remote.display() + ": " + reason(e, remote), Redacted.chain(e, remote));
        } catch (GitAPIException e) {
            throw new GitException(GitException.Kind.UNREACHABLE,
                    "could not fetch from " + remote.display() + ": " + reason(e, remote), Redacted.chain(e, remote));
        } catch (JGitInternalException e) {
            // Also how the automatic gc after a fetch reports a failure to repack.
            if (find(e, NotSupportedException.class) != null) {
                throw new GitException(GitException.Kind.UNREACHABLE,
                        "could not reach " + remote.display() + ": " + reason(e, remote), Redacted.chain(e, remote));
            }
            throw ioFailure("could not update the mirror of " + remote.display(), e);
        }
    }

    // JGit reports a missing branch only through this message; compared exactly so other failures stay UNREACHABLE.
    private static boolean isMissingRef(Throwable e, String ref) {
        String missing = MessageFormat.format(JGitText.get().remoteDoesNotHaveSpec, ref);
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (missing.equals(cause.getMessage())) {
                return true;
            }
        }
        return false;
    }

    static String branchNotFound(String branch, RepoUrls.Remote remote) {
        return "branch '" + branch + "' not found in " + remote.display();
    }

    static boolean isMirror(Path dir) {
        return RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED);
    }

    static Repository open(Path dir) throws IOException {
        // Not Git.open: that would also accept a directory with a .git inside, or read GIT_DIR.
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build();
    }

    static void discardIf(boolean fresh, Path dir) {
        if (fresh) {
            discard(dir);
        }
    }

    /** Removes a directory, first moving it aside so that a partial delete never looks like a mirror. */
    static void discard(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path doomed = dir.resolveSibling(".deleting-" + dir.getFileName() + "-" + UUID.randomUUID());
        try {
            Files.move(dir, doomed);
        } catch (IOException e) {
            doomed = dir;
        }
        FileTrees.delete(doomed);
    }

    /**
     * What went wrong, in Kiln's words: never the remote's own answer (a repository URL may point at any
     * server the node can reach, and its answer is not for the project's users to read), never credentials.
     */
    private String reason(Throwable e, RepoUrls.Remote remote) {
        Throwable transport = e;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.eclipse.jgit.errors.TransportException) {
                transport = cause;
            }
        }
        Throwable root = transport;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = Objects.requireNonNullElse(transport.getMessage(), "").toLowerCase(java.util.Locale.ROOT);
        if (text.contains(JGitText.get().noCredentialsProvider.toLowerCase(java.util.Locale.ROOT))) {
            return "the repository needs credentials; add a user name and token to the URL";
        } else if (root instanceof UnknownHostException) {
            return "unknown host " + remote.display().replaceFirst("^[a-z+]+://", "").replaceFirst("[:/].*$", "");
        } else if (root instanceof SocketTimeoutException) {
            return "no answer within " + timeoutSeconds + "s";
        } else if (root instanceof java.net.ConnectException) {
            return "connection refused";
        } else if (text.contains("not authorized") || text.contains("authentication") || text.contains("401")
                || text.contains("403") || text.contains("not permitted")) {
            return "the remote refused access; check the credentials in the URL";
        } else if (text.contains("not found") || text.contains("404")) {
            return "no Git repository there";
        } else if (root instanceof java.io.IOException && !(root instanceof org.eclipse.jgit.errors.TransportException)) {
            return "the connection failed (" + root.getClass().getSimpleName() + ")";
        }
        return "the remote did not answer as a Git server";
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    static GitException ioFailure(String what, Throwable e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new GitException(GitException.Kind.IO, what + ": " + RepoUrls.scrub(detail), Redacted.chain(e, null));
    }
}
