package dev.kiln.core.git;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.SubmoduleConfig.FetchRecurseSubmodulesMode;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.RawParseUtils;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.util.FS;
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
    private static final String REMOTE = "origin";
    // Every fetch adds one pack; past this many, lookups slow down and open file handles pile up. Git's default.
    static final int DEFAULT_PACK_LIMIT = 50;
    // A .gitmodules of hundreds of entries is a few kB; anything past this is not one to trust.
    private static final int MAX_GITMODULES = 1 << 20;

    private final Path root;
    private final int timeoutSeconds;
    private final int packLimit;
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
        this.packLimit = packLimit;
    }

    /**
     * Fetches one branch into the mirror, creating the mirror on first use and pointing it at
     * {@code repoUrl} if that changed since the last fetch.
     *
     * @param mirrorKey the mirror's name, such as {@code project-12}: lower case letters, digits and dashes
     * @param repoUrl the repository, as {@link #validateUrl} accepts it; credentials in it are used but never stored or shown
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
            fetchLocked(dir, remote, branch);
            try (Repository repo = open(dir); RevWalk walk = new RevWalk(repo)) {
                Ref head = repo.exactRef(ref);
                if (head == null) {
                    throw new GitException(GitException.Kind.UNKNOWN_BRANCH, branchNotFound(branch, remote), null);
                }
                return describe(walk.parseCommit(head.getObjectId()));
            } catch (IncorrectObjectTypeException e) {
                throw new GitException(GitException.Kind.UNKNOWN_BRANCH,
                        "branch '" + branch + "' of " + remote.display() + " does not point to a commit", null);
            } catch (IOException e) {
                throw ioFailure("could not read the mirror of " + remote.display(), e);
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
        if (sha == null || !SHA.matcher(sha).matches()) {
            throw new GitException(GitException.Kind.UNKNOWN_COMMIT, "'" + sha + "' is not a full 40 digit commit id", null);
        }
        ObjectId id = ObjectId.fromString(sha);
        checkTarget(target);
        ReentrantLock lock = lockFor(mirrorKey);
        lock.lock();
        try {
            RevCommit commit = isMirror(dir) ? findCommit(dir, id, remote) : null;
            if (commit == null) {
                fetchLocked(dir, remote, branch);
                commit = findCommit(dir, id, remote);
            }
            if (commit == null) {
                throw new GitException(GitException.Kind.UNKNOWN_COMMIT,
                        "commit " + id.name() + " not found on branch '" + branch + "' of " + remote.display(), null);
            }
            TreeCheckout checkout = writeTree(dir, commit, target);
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
        if (sha == null || !SHA.matcher(sha).matches()) {
            throw new GitException(GitException.Kind.UNKNOWN_COMMIT, "'" + sha + "' is not a full 40 digit commit id", null);
        }
        ObjectId id = ObjectId.fromString(sha);
        ReentrantLock lock = lockFor(mirrorKey);
        lock.lock();
        try {
            RevCommit commit = isMirror(dir) ? findCommit(dir, id, remote) : null;
            if (commit == null) {
                fetchLocked(dir, remote, branch);
                commit = findCommit(dir, id, remote);
            }
            if (commit == null) {
                throw new GitException(GitException.Kind.UNKNOWN_COMMIT,
                        "commit " + id.name() + " not found on branch '" + branch + "' of " + remote.display(), null);
            }
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
    TreeCheckout exportSubmodule(String mirrorKey, RepoUrls.Remote remote, ObjectId id, Path target) throws GitException {
        Path dir = mirrorDir(mirrorKey);
        ReentrantLock lock = lockFor(mirrorKey);
        lock.lock();
        try {
            RevCommit commit = isMirror(dir) ? findCommit(dir, id, remote) : null;
            if (commit == null) {
                fetchLocked(dir, remote, null);
                commit = findCommit(dir, id, remote);
            }
            if (commit == null) {
                throw new GitException(GitException.Kind.UNKNOWN_COMMIT,
                        "commit " + id.name() + " is on no branch or tag of " + remote.display(), null);
            }
            return writeTree(dir, commit, target);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A commit's files written to a directory, and its {@code .gitmodules}.
     *
     * @param written what was written, and the submodules the tree records
     * @param gitmodules the text of the commit's {@code .gitmodules}, empty when it has none
     */
    record TreeCheckout(TreeExport.Written written, String gitmodules) {
    }

    private static TreeCheckout writeTree(Path dir, RevCommit commit, Path target) throws GitException {
        try (Repository repo = open(dir); ObjectReader reader = repo.newObjectReader()) {
            Files.createDirectories(target);
            TreeExport.Written written = TreeExport.write(reader, commit.getTree(), target);
            String gitmodules = "";
            if (!written.gitlinks().isEmpty()) {
                try (TreeWalk walk = TreeWalk.forPath(reader, Constants.DOT_GIT_MODULES, commit.getTree())) {
                    if (walk != null && (walk.getRawMode(0) & FileMode.TYPE_MASK) == FileMode.TYPE_FILE) {
                        gitmodules = RawParseUtils.decode(reader.open(walk.getObjectId(0), Constants.OBJ_BLOB).getCachedBytes(MAX_GITMODULES));
                    }
                }
            }
            return new TreeCheckout(written, gitmodules);
        } catch (IOException e) {
            throw ioFailure("could not write commit " + commit.name() + " to " + target, e);
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
            discard(dir);
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
     * Checks a repository URL without any network access. Accepted: {@code https://}, {@code http://},
     * {@code ssh://}, {@code file:///absolute/path} and {@code user@host:path}; http(s) URLs may carry
     * credentials as {@code https://user:token@host/path}.
     *
     * @param repoUrl the URL
     * @return a sentence saying what is wrong (never repeating credentials), or empty if the URL is fine
     */
    public static Optional<String> validateUrl(String repoUrl) {
        return RepoUrls.validate(repoUrl);
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
        if (admin || allowLocalRemotes || !isLocal(repoUrl)) {
            return Optional.empty();
        }
        return Optional.of("file:// URLs and remotes on loopback or private addresses need an admin token "
                + "(or the operator's git.allow_local=true)");
    }

    /**
     * Whether a URL reaches this machine or its private network: {@code file://}, or a host that is or
     * resolves to a loopback, private, link-local (cloud metadata) or unspecified address. Blocking: it may
     * ask DNS.
     *
     * @param repoUrl an accepted URL
     * @return true for a local remote
     */
    public static boolean isLocal(String repoUrl) {
        if (repoUrl == null || RepoUrls.validate(repoUrl).isPresent()) {
            return false;
        }
        Optional<String> host = RepoUrls.host(repoUrl);
        if (host.isEmpty()) {
            return true;
        }
        try {
            for (java.net.InetAddress address : java.net.InetAddress.getAllByName(host.get())) {
                if (isPrivate(address)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            // Not local now; a fetch of it fails with "unknown host".
            return false;
        }
    }

    private static boolean isPrivate(java.net.InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
                || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            // 100.64.0.0/10, carrier-grade NAT, often a provider's internal network
            return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
        }
        // fc00::/7, IPv6 unique local addresses
        return (bytes[0] & 0xfe) == 0xfc;
    }

    /**
     * A repository URL split into what may be stored as is and its credentials.
     *
     * @param url the URL without credentials
     * @param credentials the raw userinfo ({@code user:token}) to keep apart, or null when there are none
     */
    public record SplitUrl(String url, String credentials) {

        /**
         * The URL again with its credentials.
         *
         * @return the URL as the user gave it
         */
        public String joined() {
            if (credentials == null) {
                return url;
            }
            int schemeEnd = url.indexOf("://") + 3;
            return url.substring(0, schemeEnd) + credentials + "@" + url.substring(schemeEnd);
        }
    }

    /**
     * Splits the credentials off a repository URL: a password or token, with the user name it goes with. A
     * plain {@code ssh://git@host} login name is no credential and stays.
     *
     * @param repoUrl an accepted URL
     * @return the parts
     */
    public static SplitUrl split(String repoUrl) {
        if (repoUrl == null || RepoUrls.validate(repoUrl).isPresent() || credentialsOf(repoUrl).isEmpty()) {
            return new SplitUrl(repoUrl, null);
        }
        int schemeEnd = repoUrl.indexOf("://") + 3;
        int at = repoUrl.lastIndexOf('@', repoUrl.indexOf('/', schemeEnd) < 0 ? repoUrl.length() : repoUrl.indexOf('/', schemeEnd));
        if (schemeEnd < 3 || at < schemeEnd) {
            return new SplitUrl(repoUrl, null);
        }
        return new SplitUrl(repoUrl.substring(0, schemeEnd) + repoUrl.substring(at + 1), repoUrl.substring(schemeEnd, at));
    }

    /**
     * The secret parts of a repository URL: its password, or a token given as the user name.
     *
     * @param repoUrl an accepted URL
     * @return the values to mask wherever the URL's text may show
     */
    public static java.util.List<String> credentialsOf(String repoUrl) {
        if (repoUrl == null || RepoUrls.validate(repoUrl).isPresent()) {
            return java.util.List.of();
        }
        RepoUrls.Remote remote = RepoUrls.parse(repoUrl);
        java.util.List<String> secrets = new java.util.ArrayList<>();
        if (remote.password() != null && !remote.password().isEmpty()) {
            secrets.add(remote.password());
        } else if (remote.password() != null && remote.user() != null) {
            secrets.add(remote.user());
        }
        return secrets;
    }

    /**
     * A repository URL as it may be shown: the user name kept, the password masked; a token given as the user
     * name masked.
     *
     * @param repoUrl an accepted URL
     * @param mask what replaces a credential
     * @return the URL to show
     */
    public static String masked(String repoUrl, String mask) {
        if (repoUrl == null || RepoUrls.validate(repoUrl).isPresent()) {
            return repoUrl;
        }
        RepoUrls.Remote remote = RepoUrls.parse(repoUrl);
        if (remote.user() == null || remote.password() == null) {
            return repoUrl;
        }
        String userInfo = remote.password().isEmpty() ? mask : remote.user() + ":" + mask;
        int schemeEnd = remote.display().indexOf("://") + 3;
        return remote.display().substring(0, schemeEnd) + userInfo + "@" + remote.display().substring(schemeEnd);
    }

    private void fetchLocked(Path dir, RepoUrls.Remote remote, String branch) throws GitException {
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

    /** The commit, or null if the mirror does not have it. */
    private static RevCommit findCommit(Path dir, ObjectId id, RepoUrls.Remote remote) throws GitException {
        try (Repository repo = open(dir); RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(id);
        } catch (MissingObjectException e) {
            return null;
        } catch (IncorrectObjectTypeException e) {
            throw new GitException(GitException.Kind.UNKNOWN_COMMIT, id.name() + " is not a commit in " + remote.display(), null);
        } catch (IOException e) {
            throw ioFailure("could not read the mirror of " + remote.display(), e);
        }
    }

    private static CommitInfo describe(RevCommit commit) {
        return new CommitInfo(commit.name(), commit.getShortMessage(), commit.getAuthorIdent().getName(),
                commit.getCommitterIdent().getWhenAsInstant());
    }

    private static void checkTarget(Path target) throws GitException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new GitException(GitException.Kind.IO, "cannot export to " + target + ": it is not a directory", null);
        }
        try (Stream<Path> entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new GitException(GitException.Kind.IO, "cannot export to " + target + ": the directory is not empty", null);
            }
        } catch (IOException e) {
            throw ioFailure("cannot export to " + target, e);
        }
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

    private static String branchNotFound(String branch, RepoUrls.Remote remote) {
        return "branch '" + branch + "' not found in " + remote.display();
    }

    private ReentrantLock lockFor(String mirrorKey) {
        return locks.computeIfAbsent(mirrorKey, key -> new ReentrantLock());
    }

    private static boolean isMirror(Path dir) {
        return RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED);
    }

    private static Repository open(Path dir) throws IOException {
        // Not Git.open: that would also accept a directory with a .git inside, or read GIT_DIR.
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build();
    }

    private static void discardIf(boolean fresh, Path dir) {
        if (fresh) {
            discard(dir);
        }
    }

    /** Removes a directory, first moving it aside so that a partial delete never looks like a mirror. */
    private static void discard(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path doomed = dir.resolveSibling(".deleting-" + dir.getFileName() + "-" + UUID.randomUUID());
        try {
            Files.move(dir, doomed);
        } catch (IOException e) {
            doomed = dir;
        }
        try (Stream<Path> paths = Files.walk(doomed)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not delete {} completely: {}", doomed, e.toString());
        }
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

    private static GitException ioFailure(String what, Throwable e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new GitException(GitException.Kind.IO, what + ": " + RepoUrls.scrub(detail), Redacted.chain(e, null));
    }
}
