package dev.kiln.core.git;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A remote's branches as {@code git ls-remote} shows them, and the branch its {@code HEAD} names.
 *
 * @param defaultBranch the branch the remote's HEAD points to, or null when it has none
 * @param branches each branch's newest commit id, by branch name
 */
public record RemoteHeads(String defaultBranch, Map<String, String> branches) {

    /**
     * Copies the map.
     */
    public RemoteHeads {
        branches = Map.copyOf(branches);
    }

    static RemoteHeads list(RepoUrls.Remote remote, int timeoutSeconds) throws GitException {
        LsRemoteCommand command = Git.lsRemoteRepository().setRemote(remote.url()).setTimeout(timeoutSeconds);
        if (remote.hasCredentials()) {
            command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(remote.user(), remote.password()));
        }
        Collection<Ref> refs;
        String head = null;
        try {
            // Not heads-only: the map then includes HEAD, a symbolic ref when the server advertises where it points.
            Map<String, Ref> all = command.callAsMap();
            Ref headRef = all.get(Constants.HEAD);
            if (headRef != null && headRef.isSymbolic() && headRef.getTarget().getName().startsWith(Constants.R_HEADS)) {
                head = headRef.getTarget().getName().substring(Constants.R_HEADS.length());
            }
            refs = all.values();
        } catch (GitAPIException | JGitInternalException e) {
            String reason = String.valueOf(e.getMessage());
            int colon = reason.indexOf(": ");
            // JGit starts with the URL, which the sentence already names.
            if (colon > 0 && (reason.substring(0, colon).contains("://") || reason.substring(0, colon).contains("@"))) {
                reason = reason.substring(colon + 2);
            }
            throw new GitException(GitException.Kind.UNREACHABLE, "could not list the branches of " + remote.display() + ": "
                    + Redacted.scrub(reason, remote), Redacted.chain(e, remote));
        }
        Map<String, String> branches = new TreeMap<>();
        for (Ref ref : refs) {
            if (!ref.isSymbolic() && ref.getName().startsWith(Constants.R_HEADS) && ref.getObjectId() != null) {
                branches.put(ref.getName().substring(Constants.R_HEADS.length()), ref.getObjectId().name());
            }
        }
        return new RemoteHeads(head, branches);
    }
}
