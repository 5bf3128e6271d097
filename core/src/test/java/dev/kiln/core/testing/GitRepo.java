package dev.kiln.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A real Git repository in a temporary directory, for tests to deploy from.
 */
public final class GitRepo implements AutoCloseable {

    private final Path directory;
    private final Git git;

    private GitRepo(Path directory, Git git) {
        this.directory = directory;
        this.git = git;
    }

    /**
     * Creates a repository whose default branch is {@code main}.
     *
     * @param directory an empty or missing directory
     * @return the repository
     * @throws Exception on failure
     */
    public static GitRepo create(Path directory) throws Exception {
        Files.createDirectories(directory);
        Git git = Git.init().setDirectory(directory.toFile()).setInitialBranch("main").call();
        return new GitRepo(directory, git);
    }

    /**
     * Writes a file (creating parents).
     *
     * @param path relative path
     * @param content text
     * @return this
     * @throws IOException on failure
     */
    public GitRepo write(String path, String content) throws IOException {
        Path file = directory.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return this;
    }

    /**
     * Commits everything.
     *
     * @param message the message
     * @return the commit's sha
     * @throws GitAPIException on failure
     */
    public String commit(String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        PersonIdent author = new PersonIdent("Ada Lovelace", "ada@example.com");
        RevCommit commit = git.commit().setMessage(message).setAuthor(author).setCommitter(author).setAllowEmpty(true).call();
        return commit.getName();
    }

    /**
     * Creates and checks out a branch.
     *
     * @param name the branch
     * @return this
     * @throws GitAPIException on failure
     */
    public GitRepo branch(String name) throws GitAPIException {
        git.checkout().setCreateBranch(true).setName(name).call();
        return this;
    }

    /**
     * Checks out an existing branch.
     *
     * @param name the branch
     * @return this
     * @throws GitAPIException on failure
     */
    public GitRepo checkout(String name) throws GitAPIException {
        git.checkout().setName(name).call();
        return this;
    }

    /**
     * The repository's {@code file://} URL.
     *
     * @return the URL
     */
    public String url() {
        return directory.toUri().toString();
    }

    /**
     * The working tree.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        git.close();
    }
}
