package dev.kiln.core.git;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.RawParseUtils;

/**
 * Writes one tree into a directory the way {@code git archive | tar x} would, without a .git directory.
 * A repository is untrusted input: no entry may write outside the target, and no symbolic link may
 * point outside it, however the tree was crafted.
 */
final class TreeExport {

    // A .gitmodules of hundreds of entries is a few kB; anything past this is not one to trust.
    private static final int MAX_GITMODULES = 1 << 20;

    // Like the kernel's limit on nested symbolic links; also stops link cycles.
    private static final int MAX_LINK_HOPS = 40;
    private static final int MAX_LINK_TARGET = 4096;

    private final ObjectReader reader;
    private final Path root;
    private final List<String> warnings = new ArrayList<>();
    // Tree paths already taken by a file or directory: a symbolic link of the same name cannot be made.
    private final Set<String> written = new HashSet<>();
    private final Map<String, String> links = new LinkedHashMap<>();
    // Submodules: tree path to the commit the tree records; checked out by the caller.
    private final Map<String, ObjectId> gitlinks = new LinkedHashMap<>();
    private long files;
    private long bytes;

    private TreeExport(ObjectReader reader, Path root) {
        this.reader = reader;
        this.root = root;
    }

    /**
     * Writes {@code tree} into {@code root}, an existing empty directory.
     *
     * @throws IOException when a file cannot be written; the directory is then incomplete
     */
    static Written write(ObjectReader reader, RevTree tree, Path root) throws IOException {
        TreeExport export = new TreeExport(reader, root.toAbsolutePath().normalize());
        export.writeEntries(tree);
        export.writeLinks();
        return new Written(new ExportResult(export.files, export.bytes, export.warnings, List.of()), java.util.Collections.unmodifiableMap(export.gitlinks));
    }

    /**
     * What one tree wrote.
     *
     * @param result counts and warnings
     * @param gitlinks the submodules the tree records, by path; their directories are not created
     */
    record Written(ExportResult result, Map<String, ObjectId> gitlinks) {
    }

    private void writeEntries(RevTree tree) throws IOException {
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(tree);
            // Not recursive: an unsafe directory name is then skipped with everything under it.
            walk.setRecursive(false);
            while (walk.next()) {
                String path = walk.getPathString();
                String name = walk.getNameString();
                int mode = walk.getRawMode(0);
                int type = mode & FileMode.TYPE_MASK;
                String unsafe = unsafeName(name);
                if (unsafe != null) {
                    warnings.add("skipped '" + path + "': " + unsafe);
                    continue;
                }
                Path file = root.resolve(path).normalize();
                if (!file.startsWith(root) || file.equals(root)) {
                    warnings.add("skipped '" + path + "': it would be written outside the checkout");
                    continue;
                }
                if (type == FileMode.TYPE_TREE) {
                    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                        warnings.add("skipped '" + path + "': the tree lists it twice");
                        continue;
                    }
                    Files.createDirectories(file);
                    written.add(path);
                    walk.enterSubtree();
                } else if (type == FileMode.TYPE_FILE) {
                    writeFile(walk, file, path, (mode & 0111) != 0);
                } else if (type == FileMode.TYPE_SYMLINK) {
                    collectLink(walk, path);
                } else if (type == FileMode.TYPE_GITLINK) {
                    if (written.contains(path) || gitlinks.putIfAbsent(path, walk.getObjectId(0)) != null) {
                        warnings.add("skipped '" + path + "': the tree lists it twice");
                    }
                } else {
                    warnings.add("skipped '" + path + "': unknown file mode " + Integer.toOctalString(mode));
                }
            }
        }
    }

    private void writeFile(TreeWalk walk, Path file, String path, boolean executable) throws IOException {
        if (!written.add(path)) {
            warnings.add("skipped '" + path + "': the tree lists it twice");
            return;
        }
        ObjectLoader loader = reader.open(walk.getObjectId(0), Constants.OBJ_BLOB);
        // CREATE_NEW never follows or replaces whatever is already there.
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            loader.copyTo(out);
        } catch (FileAlreadyExistsException e) {
            warnings.add("skipped '" + path + "': the tree lists it twice");
            return;
        }
        if (executable) {
            makeExecutable(file);
        }
        files++;
        bytes += loader.getSize();
    }

    private static void makeExecutable(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            file.toFile().setExecutable(true, false);
            return;
        }
        // Execute for whoever may read, as git does for mode 100755 under the current umask.
        Set<PosixFilePermission> permissions = EnumSet.copyOf(view.readAttributes().permissions());
        if (permissions.contains(PosixFilePermission.OWNER_READ)) {
            permissions.add(PosixFilePermission.OWNER_EXECUTE);
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ)) {
            permissions.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        view.setPermissions(permissions);
    }

    private void collectLink(TreeWalk walk, String path) throws IOException {
        ObjectLoader loader = reader.open(walk.getObjectId(0), Constants.OBJ_BLOB);
        if (loader.getSize() > MAX_LINK_TARGET) {
            warnings.add("skipped symbolic link '" + path + "': its target is longer than " + MAX_LINK_TARGET + " bytes");
            return;
        }
        String target = RawParseUtils.decode(loader.getCachedBytes());
        if (links.putIfAbsent(path, target) != null) {
            warnings.add("skipped '" + path + "': the tree lists it twice");
        }
    }

    // Links are made last, so no file above was written through one of them.
    private void writeLinks() throws IOException {
        links.keySet().removeIf(path -> {
            if (written.contains(path) || gitlinks.containsKey(path)) {
                warnings.add("skipped symbolic link '" + path + "': a file or directory of that name exists");
                return true;
            }
            return false;
        });
        for (Map.Entry<String, String> link : links.entrySet()) {
            String path = link.getKey();
            String target = link.getValue();
            if (target.indexOf('\0') >= 0 || !staysInside(path, target)) {
                warnings.add("skipped symbolic link '" + path + "' -> '" + target + "': it points outside the checkout");
                continue;
            }
            try {
                Files.createSymbolicLink(root.resolve(path), Path.of(target));
                files++;
            } catch (UnsupportedOperationException e) {
                warnings.add("skipped symbolic link '" + path + "': this file system has no symbolic links");
            }
        }
    }

    /**
     * Whether a link stays inside the checkout once resolved the way the kernel would, following the
     * other links of the tree. Judging the text alone is not enough: with {@code y -> .}, the link
     * {@code x -> y/../secret} reads as inside but resolves to {@code ../secret}.
     */
    private boolean staysInside(String linkPath, String target) {
        Deque<String> at = new ArrayDeque<>();
        int slash = linkPath.lastIndexOf('/');
        if (slash > 0) {
            for (String segment : linkPath.substring(0, slash).split("/")) {
                at.addLast(segment);
            }
        }
        return resolve(at, target, new int[] {MAX_LINK_HOPS});
    }

    private boolean resolve(Deque<String> at, String target, int[] hopsLeft) {
        if (target.isEmpty() || target.startsWith("/")) {
            return false;
        }
        for (String segment : target.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (at.isEmpty()) {
                    return false;
                }
                at.removeLast();
                continue;
            }
            at.addLast(segment);
            String inner = links.get(String.join("/", at));
            if (inner != null) {
                if (--hopsLeft[0] < 0) {
                    return false;
                }
                at.removeLast();
                if (!resolve(at, inner, hopsLeft)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Why a tree entry name must not be written, or null when it is fine. Git forbids all of these itself. */
    private static String unsafeName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return "'" + name + "' is not a valid file name";
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            return "the name contains '/' or a NUL byte";
        }
        if (name.toLowerCase(Locale.ROOT).equals(Constants.DOT_GIT)) {
            return "a .git entry is never checked out";
        }
        return null;
    }

    /**
     * A commit's files written to a directory, and its {@code .gitmodules}.
     *
     * @param written what was written, and the submodules the tree records
     * @param gitmodules the text of the commit's {@code .gitmodules}, empty when it has none
     */
    record TreeCheckout(TreeExport.Written written, String gitmodules) {
    }

    /**
     * Writes a commit of a mirror to a directory, and reads its {@code .gitmodules} when the tree
     * records submodules.
     *
     * @param dir the mirror
     * @param commit the commit
     * @param target an existing empty directory, or one to create
     * @return what was written
     * @throws GitException IO
     */
    static TreeCheckout writeCommit(Path dir, RevCommit commit, Path target) throws GitException {
        try (Repository repo = MirrorFetch.open(dir); ObjectReader reader = repo.newObjectReader()) {
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
            throw MirrorFetch.ioFailure("could not write commit " + commit.name() + " to " + target, e);
        }
    }

    /**
     * Refuses a target that exists and is not an empty directory.
     *
     * @param target the directory to export to
     * @throws GitException IO
     */
    static void checkTarget(Path target) throws GitException {
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
            throw MirrorFetch.ioFailure("cannot export to " + target, e);
        }
    }
}
