package dev.kiln.core.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/** Real repositories for tests, made with JGit. */
final class TestRepos {

    static final PersonIdent ADA = new PersonIdent("Ada Lovelace", "ada@example.com");

    private TestRepos() {
    }

    /** A non-bare repository whose first branch is main. */
    static Git init(Path dir) throws GitAPIException {
        return Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    static String url(Git git) {
        return git.getRepository().getWorkTree().toPath().toUri().toString();
    }

    /** Writes the files into the work tree and commits everything on the current branch. */
    static RevCommit commit(Git git, String message, Map<String, String> files) throws IOException, GitAPIException {
        Path work = git.getRepository().getWorkTree().toPath();
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = work.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor(ADA).setCommitter(ADA).setSign(false).call();
    }

    /** A tree entry for {@link #commitTree}. */
    record Entry(FileMode mode, byte[] content) {

        static Entry file(String text) {
            return new Entry(FileMode.REGULAR_FILE, text.getBytes(StandardCharsets.UTF_8));
        }

        static Entry link(String target) {
            return new Entry(FileMode.SYMLINK, target.getBytes(StandardCharsets.UTF_8));
        }

        static Entry submodule(String sha) {
            return new Entry(FileMode.GITLINK, sha.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Commits a tree built entry by entry on {@code branch}, with names git itself would refuse (such as
     * {@code ..} or {@code .git}) if asked: a hostile repository can contain anything.
     */
    static RevCommit commitTree(Repository repo, String branch, String message, Map<String, Entry> entries) throws IOException {
        try (ObjectInserter inserter = repo.newObjectInserter(); RevWalk walk = new RevWalk(repo)) {
            ObjectId tree = insertTree(inserter, entries);
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(tree);
            commit.setAuthor(ADA);
            commit.setCommitter(ADA);
            commit.setMessage(message);
            ObjectId head = repo.resolve(Constants.R_HEADS + branch);
            if (head != null) {
                commit.setParentId(head);
            }
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
            update.setNewObjectId(id);
            update.forceUpdate();
            return walk.parseCommit(id);
        }
    }

    private static ObjectId insertTree(ObjectInserter inserter, Map<String, Entry> entries) throws IOException {
        Map<String, Object> level = new LinkedHashMap<>();
        Map<String, Map<String, Entry>> subtrees = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> entry : entries.entrySet()) {
            String path = entry.getKey();
            int slash = path.indexOf('/');
            if (slash < 0) {
                level.put(path, entry.getValue());
            } else {
                subtrees.computeIfAbsent(path.substring(0, slash), name -> new LinkedHashMap<>())
                        .put(path.substring(slash + 1), entry.getValue());
            }
        }
        record Item(String name, FileMode mode, ObjectId id) {
        }
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, Object> entry : level.entrySet()) {
            Entry value = (Entry) entry.getValue();
            ObjectId id = value.mode() == FileMode.GITLINK
                    ? ObjectId.fromString(new String(value.content(), StandardCharsets.US_ASCII))
                    : inserter.insert(Constants.OBJ_BLOB, value.content());
            items.add(new Item(entry.getKey(), value.mode(), id));
        }
        for (Map.Entry<String, Map<String, Entry>> subtree : subtrees.entrySet()) {
            items.add(new Item(subtree.getKey(), FileMode.TREE, insertTree(inserter, subtree.getValue())));
        }
        // Git's order: names compared as bytes, a tree's name as if it ended in '/'.
        items.sort(Comparator.comparing(item -> item.mode() == FileMode.TREE ? item.name() + "/" : item.name()));
        TreeFormatter tree = new TreeFormatter();
        for (Item item : items) {
            tree.append(item.name(), item.mode(), item.id());
        }
        return inserter.insert(tree);
    }
}
