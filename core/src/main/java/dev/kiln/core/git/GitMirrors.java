package dev.kiln.core.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bare mirrors of project repositories under one directory, one per mirror key, so that a deployment
 * fetches only what is new instead of cloning the whole history. Each deployment's files are exported
 * from the mirror into a fresh directory.
 *
 * <p>Thread-safe. Fetches and exports of one key run one at a time; different keys run in parallel.
 * All methods block, so call them from worker threads.
 */
public final class GitMirrors {

    private static final Logger LOG = LoggerFactory.getLogger(GitMirrors.class);

    private static final Pattern KEY = Pattern.compile("[a-z0-9-]{1,100}");
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}");
    // Every fetch adds one pack; past this many, lookups slow down and open file handles pile up. Git's default.
    static final int DEFAULT_PACK_LIMIT = 50;
    private final Path root;
    private final int timeoutSeconds;
    private final MirrorFetch fetch;
    private final boolean allowLocalRemotes;
    // Never removed: one small lock per project is cheaper than getting removal races right.
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /**
     * Mirrors kept under one directory.
     *
     * @param mirrorsRoot the directory holding the mirrors; created on first use
     * @param remoteTimeout how long a remote may stay silent before a fetch fails; rounded up to whole seconds
     */
    public GitMirrors(Path mirrorsRoot, Duration remoteTimeout) {
        this(mirrorsRoot, remoteTimeout, DEFAULT_PACK_LIMIT, false);
    }

    /**
     * Mirrors kept under one directory, with the operator's choice about local remotes.
     *
     * @param mirrorsRoot the directory holding the mirrors; created on first use
     * @param remoteTimeout how long a remote may stay silent before a fetch fails; rounded up to whole seconds
     * @param allowLocalRemotes {@code git.allow_local}: whether any token may set a {@code file://} URL or a
     *     remote on a loopback or private address, not only admin tokens
     */
    public GitMirrors(Path mirrorsRoot, Duration remoteTimeout, boolean allowLocalRemotes) {
        this(mirrorsRoot, remoteTimeout, DEFAULT_PACK_LIMIT, allowLocalRemotes);
    }

    GitMirrors(Path mirrorsRoot, Duration remoteTimeout, int packLimit) {
        this(mirrorsRoot, remoteTimeout, packLimit, false);
    }

    private GitMirrors(Path mirrorsRoot, Duration remoteTimeout, int packLimit, boolean allowLocalRemotes) {
        this.allowLocalRemotes = allowLocalRemotes;
        Objects.requireNonNull(mirrorsRoot, "mirrorsRoot");
        Objects.requireNonNull(remoteTimeout, "remoteTimeout");
        if (remoteTimeout.isNegative() || remoteTimeout.isZero()) {
            throw new IllegalArgumentException("remoteTimeout must be positive: " + remoteTimeout);
        }
        this.root = mirrorsRoot.toAbsolutePath().normalize();
        // JGit counts in whole seconds and reads 0 as "wait forever".
        long millis = Math.min(remoteTimeout.toMillis(), Integer.MAX_VALUE * 1000L);
        this.timeoutSeconds = (int) Math.max(1, (millis + 999) / 1000);
        this.fetch = new MirrorFetch(timeoutSeconds, packLimit);
    }

    /**
     * Fetches one branch into the mirror, creating the mirror on first use and pointing it at
     * {@code repoUrl} if that changed since the last fetch.
     *
     * @param mirrorKey the mirror's name, such as {@code project-12}: lower case letters, digits and dashes
     * @param repoUrl the repository, as {@link RepoUrlRules#validateUrl} accepts it; credentials in it are used but never stored or shown
     * @param branch the branch name, without {@code refs/heads/}
     * @return the branch's newest commit
     * @throws GitException UNKNOWN_BRANCH, UNREACHABLE, INVALID_URL or IO
     * @throws IllegalArgumentException when the mirror key is not valid
     */
    public CommitInfo fetchBranch(String mirrorKey, String repoUrl, String branch) throws GitException {
        Path dir = mirrorDir(mirrorKey);
        RepoUrls.Remote remote = remote(repoUrl);
        String ref = branchRef(branch);
        ReentrantLock lock = lockFor(mirrorKey);
        lock.lock();
        try {
            fetch.fetch(dir, remote, branch);
            try (Repository repo = MirrorFetch.open(dir); RevWalk walk = new RevWalk(repo)) {
                Ref head = repo.exactRef(ref);
                if (head == null) {
                    throw new GitException(GitException.Kind.UNKNOWN_BRANCH, MirrorFetch.branchNotFound(branch, remote), null);
                }
                return describe(walk.parseCommit(head.getObjectId()));
            } catch (IncorrectObjectTypeException e) {
                throw new GitException(GitException.Kind.UNKNOWN_BRANCH,
                        "branch '" + branch + "' of " + remote.display() + " does not point to a commit", null);
            } catch (IOException e) {
                throw MirrorFetch.ioFailure("could not read the mirror of " + remote.display(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the files of one commit into {@code target}, without a .git directory, fetching
     * {@code branch} first if the mirror does not have the commit yet.
     *
     * @param mirrorKey the mirror's name
     * @param repoUrl the repository, used only when the commit has to be fetched
     * @param branch the branch that contains the commit
     * @param sha the full 40 hex digit commit id
     * @param target the directory to write to; created if missing, and must be empty if it exists
     * @return counts, and a warning for each entry not written (escaping symbolic links, submodules)
     * @throws GitException UNKNOWN_COMMIT, or IO (the target is then incomplete), or any fetch failure
     * @throws IllegalArgumentException when the mirror key is not valid
     */
    public ExportResult export(String mirrorKey, String repoUrl, String branch, String sha, Path target) throws GitException {
        return export(mirrorKey, repoUrl, branch, sha, target, false);
    }

    /**
     * Writes the files of one commit into {@code target}, like {@link #export(String, String, String, String, Path)},
     * and with {@code submodules} also its submodules, recursively, each fetched into a mirror of its own.
     *
     * @param mirrorKey the mirror's name
     * @param repoUrl the repository, used only when the commit has to be fetched
     * @param branch the branch that contains the commit
     * @param sha the full 40 hex digit commit id
     * @param target the directory to write to; created if missing, and must be empty if it exists
     * @param submodules true to check out submodules, false to leave them out with a warning each
     * @return counts, a sentence per submodule checked out, and a warning for each entry not written
     * @throws GitException as the other export, or naming the submodule that could not be checked out
     */
    public ExportResult export(String mirrorKey, String repoUrl, String branch, String sha, Path target, boolean submodules)
            throws GitException {
        Path dir = mirrorDir(mirrorKey);
        RepoUrls.Remote remote = remote(repoUrl);
        branchRef(branch);
        Objects.requireNonNull(target, "target");
        ObjectId id = commitId(sha);
        TreeExport.checkTarget(target);
        ReentrantLock lock = lockFor(mirrorKey);
        lock.lock();
        try {
            RevCommit commit = fetchedCommit(dir, remote, branch, id);
            TreeExport.TreeCheckout checkout = TreeExport.writeCommit(dir, commit, target);
            if (checkout.written().gitlinks().isEmpty()) {
                return checkout.written().result();
            }
            if (!submodules) {
                return checkout.written().result().plus(new ExportResult(0, 0, checkout.written().gitlinks().keySet().stream()
                        .map(path -> "skipped submodule '" + path + "': submodules are not checked out here").toList(), List.of()));
            }
            return checkout.written().result().plus(Submodules.checkout(this, mirrorKey, remote, checkout, target));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Describes one commit of a branch, fetching the branch first if the mirror lacks the commit:
     * a webhook names the exact commit to deploy, which may no longer be the branch's newest.
     *
     * @param mirrorKey the mirror's name
     * @param repoUrl the repository
     * @param branch the branch that contains the commit
     * @param sha the full 40 hex digit commit id
     * @return the commit
     * @throws GitException UNKNOWN_COMMIT, or any fetch failure
     */
    public CommitInfo commit(String mirrorKey, String repoUrl, String branch, String sha) throws GitException {
        Path dir = mirrorDir(mirrorKey);
        RepoUrls.Remote remote = remote(repoUrl);
        branchRef(branch);
        ObjectId id = commitId(sha);
        ReentrantLock lock = lockFor(mirrorKey);
        lock.lock();
        try {
            RevCommit commit = fetchedCommit(dir, remote, branch, id);
            return describe(commit);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks the remote for its branches and its default branch, without fetching any object.
     *
     * @param repoUrl the repository
     * @return the remote's heads
     * @throws GitException UNREACHABLE or INVALID_URL
     */
    public RemoteHeads remoteHeads(String repoUrl) throws GitException {
        return RemoteHeads.list(remote(repoUrl), timeoutSeconds);
    }

    /**
     * Asks the remote for its branches, waiting at most {@code timeout} for an answer.
     *
     * @param repoUrl the repository
     * @param timeout how long the remote may stay silent; at least a second
     * @return the remote's heads
     * @throws GitException UNREACHABLE or INVALID_URL
     */
    public RemoteHeads remoteHeads(String repoUrl, Duration timeout) throws GitException {
        return RemoteHeads.list(remote(repoUrl), (int) Math.max(1, Math.min(timeoutSeconds, timeout.toSeconds())));
    }

    /**

    /**
     * The files of one commit of a submodule, fetching every branch and tag of its repository into
     * its own mirror first if that does not have the commit yet.
     *
     * @param mirrorKey the submodule's mirror
     * @param remote its repository
     * @param id the commit the superproject records
     * @param target an existing empty directory
     * @return what was written, with the submodule's own submodules still to check out
     * @throws GitException when the commit cannot be fetched or written
     */
    TreeExport.TreeCheckout exportSubmodule(String mirrorKey, RepoUrls.Remote remote, ObjectId id, Path target) throws GitException {
        Path dir = mirrorDir(mirrorKey);
        ReentrantLock lock = lockFor(mirrorKey);
        lock.lock();
        try {
            RevCommit commit = MirrorFetch.isMirror(dir) ? findCommit(dir, id, remote) : null;
            if (commit == null) {
                fetch.fetch(dir, remote, null);
                commit = findCommit(dir, id, remote);
            }
            if (commit == null) {
                throw new GitException(GitException.Kind.UNKNOWN_COMMIT,
                        "commit " + id.name() + " is on no branch or tag of " + remote.display(), null);
            }
            return TreeExport.writeCommit(dir, commit, target);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes a mirror. Nothing happens if it does not exist; a failure to delete is logged, not thrown,
     * since the project is gone either way.
     *
     * @param mirrorKey the mirror's name
     * @throws IllegalArgumentException when the mirror key is not valid
     */
    public void deleteMirror(String mirrorKey) {
        Path dir = mirrorDir(mirrorKey);
        ReentrantLock lock = lockFor(mirrorKey);
        lock.lock();
        try {
            MirrorFetch.discard(dir);
        } finally {
            lock.unlock();
        }
        // The project's submodule mirrors: named after it, see Submodules.mirrorKey.
        String prefix = Submodules.mirrorKeyPrefix(mirrorKey);
        try (Stream<Path> mirrors = Files.exists(root) ? Files.list(root) : Stream.empty()) {
            for (Path mirror : mirrors.toList()) {
                String name = mirror.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(Constants.DOT_GIT_EXT)) {
                    deleteMirror(name.substring(0, name.length() - Constants.DOT_GIT_EXT.length()));
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list the submodule mirrors of {}: {}", mirrorKey, e.toString());
        }
    }

    /**
     * Why a caller may not set a repository URL: a remote on this machine or its private network (its files,
     * its internal services) is for admins only, unless the operator allowed it. Blocking: it may ask DNS.
     *
     * @param repoUrl an accepted URL
     * @param admin whether the caller holds an admin token
     * @return the reason, or empty when the URL may be used
     */
    public Optional<String> refusal(String repoUrl, boolean admin) {
        if (admin || allowLocalRemotes || !RepoUrlRules.isLocal(repoUrl)) {
            return Optional.empty();
        }
        return Optional.of("file:// URLs and remotes on loopback or private addresses need an admin token "
                + "(or the operator's git.allow_local=true)");
    }

    /** The commit, or null if the mirror does not have it. */
    private static ObjectId commitId(String sha) throws GitException {
        if (sha == null || !SHA.matcher(sha).matches()) {
            throw new GitException(GitException.Kind.UNKNOWN_COMMIT, "'" + sha + "' is not a full 40 digit commit id", null);
        }
        return ObjectId.fromString(sha);
    }

    /** The commit, fetched into the mirror first when the mirror lacks it; the caller holds the mirror's lock. */
    private RevCommit fetchedCommit(Path dir, RepoUrls.Remote remote, String branch, ObjectId id) throws GitException {
        RevCommit commit = MirrorFetch.isMirror(dir) ? findCommit(dir, id, remote) : null;
        if (commit == null) {
            fetch.fetch(dir, remote, branch);
            commit = findCommit(dir, id, remote);
        }
        if (commit == null) {
            throw new GitException(GitException.Kind.UNKNOWN_COMMIT,
                    "commit " + id.name() + " not found on branch '" + branch + "' of " + remote.display(), null);
        }
        return commit;
    }

    private static RevCommit findCommit(Path dir, ObjectId id, RepoUrls.Remote remote) throws GitException {
        try (Repository repo = MirrorFetch.open(dir); RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(id);
        } catch (MissingObjectException e) {
            return null;
        } catch (IncorrectObjectTypeException e) {
            throw new GitException(GitException.Kind.UNKNOWN_COMMIT, id.name() + " is not a commit in " + remote.display(), null);
        } catch (IOException e) {
            throw MirrorFetch.ioFailure("could not read the mirror of " + remote.display(), e);
        }
    }

    private static CommitInfo describe(RevCommit commit) {
        return new CommitInfo(commit.name(), commit.getShortMessage(), commit.getAuthorIdent().getName(),
                commit.getCommitterIdent().getWhenAsInstant());
    }

    private Path mirrorDir(String mirrorKey) {
        if (mirrorKey == null || !KEY.matcher(mirrorKey).matches()) {
            throw new IllegalArgumentException("mirror key must be 1 to 100 of [a-z0-9-]: " + mirrorKey);
        }
        return root.resolve(mirrorKey + Constants.DOT_GIT_EXT);
    }

    private static RepoUrls.Remote remote(String repoUrl) throws GitException {
        Optional<String> problem = RepoUrls.validate(repoUrl);
        if (problem.isPresent()) {
            throw new GitException(GitException.Kind.INVALID_URL, problem.get(), null);
        }
        return RepoUrls.parse(repoUrl);
    }

    private static String branchRef(String branch) throws GitException {
        if (branch == null || branch.isEmpty() || !Repository.isValidRefName(Constants.R_HEADS + branch)) {
            throw new GitException(GitException.Kind.UNKNOWN_BRANCH, "'" + branch + "' is not a valid branch name", null);
        }
        return Constants.R_HEADS + branch;
    }

    private ReentrantLock lockFor(String mirrorKey) {
        return locks.computeIfAbsent(mirrorKey, key -> new ReentrantLock());
    }
}
