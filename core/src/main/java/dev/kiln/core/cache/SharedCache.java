package dev.kiln.core.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.FileTrees;
import dev.kiln.core.ProjectKeys;

/**
 * One store per node of the package files every project's builds download, so that a package is
 * downloaded and kept once, not once per project.
 *
 * <p>Only content-addressed files are shared: files whose path names the hash of their content,
 * as npm's cache ({@code content-v2/sha512/ab/cd/<rest of the hex digest>}) keeps them. Kiln
 * itself admits them, outside any build, after checking each file against the hash its path
 * names: a build cannot plant content another project will use, since forged content never
 * matches its name. Index files (which map names and URLs to content) stay per project.
 *
 * <p>Before a build the store's files are hard-linked into the project's cache, read-only and
 * owned by Kiln: a build running as another user (the build sandbox) can replace its own links
 * but not write through them. When Kiln does not run as root that protection does not hold, so
 * the project gets copies instead: downloads are still saved, disk space is not.
 *
 * <p>Caches whose layout names packages, not content (yarn's, pnpm's), cannot be checked that way,
 * so nothing of theirs is ever placed into another project's cache. After each build their files
 * are deduplicated instead: each file becomes a hard link to one read-only copy of its content,
 * kept under the hash Kiln computed itself, shared by every project whose cache holds the same
 * bytes. A build can replace its own links but not write through them, and a replaced file only
 * ever joins the copy of its own content. This saves disk space, not downloads, and only when
 * Kiln runs as root; otherwise the files stay as the build wrote them.
 */
public final class SharedCache {

    private static final Logger LOG = LoggerFactory.getLogger(SharedCache.class);
    private static final Pattern CONTENT = Pattern.compile("(sha512|sha256|sha1)/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]+)");
    /** Where deduplicated files are kept in the store, apart from the admitted content-addressed ones. */
    static final String DEDUPLICATED = ".deduplicated";
    private static final Map<String, String> ALGORITHMS = Map.of("sha512", "SHA-512", "sha256", "SHA-256", "sha1", "SHA-1");
    /** Touched by every build of a project, so eviction knows which projects' caches went unused longest. */
    static final String LAST_USED = ".last-used";

    private final Path cacheRoot;
    private final Path store;
    private final long maxBytes;
    private final boolean link;
    private final java.util.Set<Path> building = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The store of a node.
     *
     * @param cacheRoot the node's cache directory, holding {@code project-<id>} directories and the store
     * @param maxBytes the most the whole cache directory may hold; 0 for no limit
     */
    public SharedCache(Path cacheRoot, long maxBytes) {
        this.cacheRoot = cacheRoot.toAbsolutePath().normalize();
        this.store = this.cacheRoot.resolve("shared");
        this.maxBytes = maxBytes;
        this.link = isRoot();
    }

    /**
     * Whether builds get hard links to the store (Kiln runs as root) or copies.
     *
     * @return true for links
     */
    public boolean links() {
        return link;
    }

    /**
     * Puts every stored file into a project's cache where it has none, before its build.
     *
     * @param projectCache the project's cache directory for one builder
     * @param contentDirectories directories inside it that hold content-addressed files (for example {@code npm-cache/content-v2})
     * @return how many files were placed
     * @throws IOException when the caches cannot be read or written
     */
    public int prepare(Path projectCache, List<String> contentDirectories) throws IOException {
        building.add(projectCache.toAbsolutePath().normalize());
        touch(projectCache);
        int placed = 0;
        for (String directory : contentDirectories) {
            Path shared = store.resolve(directory);
            if (!Files.isDirectory(shared)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(shared)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    Path target = projectCache.resolve(directory).resolve(shared.relativize(file).toString()).normalize();
                    // The project's cache is the build's: never follow a link it left there.
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || !directoriesWithoutLinks(projectCache, target.getParent())) {
                        continue;
                    }
                    try {
                        if (link) {
                            Files.createLink(target, file);
                        } else {
                            Files.copy(file, target);
                        }
                        placed++;
                    } catch (FileAlreadyExistsException e) {
                        // The build's own copy; admitted (or refused) after the build.
                    }
                    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
                }
            }
        }
        return placed;
    }

    /**
     * The regular files under a directory of a project's cache, links not followed.
     *
     * @param directory the directory
     * @return its files; none when it is missing or is not a directory
     * @throws IOException when it cannot be read
     */
    static List<Path> regularFiles(Path directory) throws IOException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    /**
     * Makes the directories from {@code base} down to {@code directory}, none of which may be a
     * symbolic link: a build owns what lies under its project's cache and could point a link at
     * any directory of the host, which Kiln, writing here as root, must never write into.
     *
     * @return false when a part of the path is a link or not a directory (then nothing is placed there)
     */
    static boolean directoriesWithoutLinks(Path base, Path directory) throws IOException {
        Path start = base.toAbsolutePath().normalize();
        Path end = directory.toAbsolutePath().normalize();
        if (!end.startsWith(start)) {
            return false;
        }
        Path current = start;
        if (Files.isSymbolicLink(current)) {
            return false;
        }
        Files.createDirectories(current);
        for (Path name : start.relativize(end)) {
            current = current.resolve(name);
            if (Files.isSymbolicLink(current)) {
                return false;
            }
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(current);
                } catch (FileAlreadyExistsException raced) {
                    // Made meanwhile: checked below like any other.
                }
            }
            if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes a project's new content-addressed files into the store after its build, each only
     * when its content matches the hash its path names, and replaces the project's files with
     * links to the stored ones. Files that do not match are left to the project and never shared.
     *
     * @param projectCache the project's cache directory for one builder
     * @param contentDirectories as for {@link #prepare}
     * @return what was admitted and refused
     * @throws IOException when the caches cannot be read or written
     */
    public Admitted admit(Path projectCache, List<String> contentDirectories) throws IOException {
        int admitted = 0;
        List<String> refused = new ArrayList<>();
        for (String directory : contentDirectories) {
            Path own = projectCache.resolve(directory);
            for (Path file : SharedCache.regularFiles(own)) {
                String relative = own.relativize(file).toString().replace('\\', '/');
                Path shared = store.resolve(directory).resolve(relative);
                if (Files.exists(shared) && Files.isSameFile(shared, file)) {
                    continue;
                }
                Matcher name = CONTENT.matcher(relative);
                if (!name.matches() || !matches(file, name)) {
                    refused.add(directory + "/" + relative);
                    continue;
                }
                if (!Files.exists(shared)) {
                    Path incoming = store.resolve(".incoming-" + UUID.randomUUID());
                    Files.createDirectories(incoming.getParent());
                    // A copy, not a link: the project's file is the build's, and the build could still hold it open.
                    Files.copy(file, incoming);
                    if (!matches(incoming, name)) {
                        Files.delete(incoming);
                        refused.add(directory + "/" + relative);
                        continue;
                    }
                    Files.setPosixFilePermissions(incoming, PosixFilePermissions.fromString("r--r--r--"));
                    Files.createDirectories(shared.getParent());
                    Files.move(incoming, shared, StandardCopyOption.ATOMIC_MOVE);
                    admitted++;
                }
                if (link) {
                    // One copy on disk: the project's file becomes a link to the verified one.
                    Path replacement = file.resolveSibling(".link-" + UUID.randomUUID());
                    Files.createLink(replacement, shared);
                    Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return new Admitted(admitted, refused);
    }

    /**
     * Ends a build's use of its project cache: admits its new files, then evicts what was used
     * least recently if the cache is over its limit.
     *
     * @param projectCache the project's cache directory for one builder
     * @param contentDirectories as for {@link #prepare}
     * @return what was admitted and refused
     * @throws IOException when the caches cannot be read or written
     */
    public Admitted finish(Path projectCache, List<String> contentDirectories) throws IOException {
        return finish(projectCache, contentDirectories, List.of());
    }

    /**
     * Ends a build's use of its project cache: admits its new content-addressed files,
     * deduplicates the files of the other shared directories, then evicts what was used least
     * recently if the cache is over its limit.
     *
     * @param projectCache the project's cache directory for one builder
     * @param contentDirectories as for {@link #prepare}
     * @param deduplicatedDirectories directories inside it whose identical files are kept once (yarn's cache, pnpm's files)
     * @return what was admitted and refused, and how many files were deduplicated
     * @throws IOException when the caches cannot be read or written
     */
    public Admitted finish(Path projectCache, List<String> contentDirectories, List<String> deduplicatedDirectories) throws IOException {
        try {
            Admitted admitted = admit(projectCache, contentDirectories);
            // Only as root: a copy owned by the build's own user could be changed through any project's link.
            int deduplicated = link ? new Deduplication(store.resolve(DEDUPLICATED)).deduplicate(projectCache, deduplicatedDirectories) : 0;
            return new Admitted(admitted.admitted(), admitted.refused(), deduplicated);
        } finally {
            building.remove(projectCache.toAbsolutePath().normalize());
            evict();
        }
    }

    /**
     * What one admission did.
     *
     * @param admitted files new to the store
     * @param refused files whose content does not match their name, relative to the project's cache
     * @param deduplicated files of the project's deduplicated directories that became links to a shared copy
     */
    public record Admitted(int admitted, List<String> refused, int deduplicated) {

        /** Copies the list. */
        public Admitted {
            refused = List.copyOf(refused);
        }

        /**
         * An admission of content-addressed files only.
         *
         * @param admitted files new to the store
         * @param refused files whose content does not match their name
         */
        public Admitted(int admitted, List<String> refused) {
            this(admitted, refused, 0);
        }
    }

    /**
     * Deletes what was used least recently until the cache directory holds at most
     * {@code builds.cache_max_bytes}: first whole project caches (by their last build), then stored
     * files (by their last use). Projects building now are left alone.
     *
     * @return bytes freed
     * @throws IOException when the cache cannot be read
     */
    public synchronized long evict() throws IOException {
        List<Path> inUse = List.copyOf(building);
        if (maxBytes <= 0 || !Files.isDirectory(cacheRoot)) {
            return 0;
        }
        long total = DiskUsage.of(cacheRoot);
        long freed = 0;
        if (total <= maxBytes) {
            return 0;
        }
        List<Path> projects;
        try (Stream<Path> children = Files.list(cacheRoot)) {
            projects = children.filter(child -> child.getFileName().toString().startsWith(ProjectKeys.PREFIX))
                    .filter(child -> inUse.stream().noneMatch(used -> used.startsWith(child)))
                    .sorted(Comparator.comparing(SharedCache::lastUsed)).toList();
        }
        for (Path project : projects) {
            if (total - freed <= maxBytes) {
                return freed;
            }
            long before = DiskUsage.of(cacheRoot);
            FileTrees.delete(project);
            freed += before - DiskUsage.of(cacheRoot);
            LOG.info("Evicted the build cache {} to keep the cache under {} bytes", project.getFileName(), maxBytes);
        }
        if (total - freed > maxBytes && Files.isDirectory(store)) {
            List<Path> stored;
            try (Stream<Path> files = Files.walk(store)) {
                stored = files.filter(Files::isRegularFile).sorted(Comparator.comparing(SharedCache::lastUsed)).toList();
            }
            for (Path file : stored) {
                if (total - freed <= maxBytes) {
                    break;
                }
                // A file still linked from a project frees nothing: its bytes stay until that project's cache goes.
                long size = Files.size(file);
                boolean alone = !link || ((Number) Files.getAttribute(file, "unix:nlink")).intValue() == 1;
                Files.deleteIfExists(file);
                if (alone) {
                    freed += size;
                }
            }
        }
        return freed;
    }

    private static FileTime lastUsed(Path path) {
        try {
            Path marker = path.resolve(LAST_USED);
            return Files.getLastModifiedTime(Files.exists(marker) ? marker : path);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void touch(Path projectCache) throws IOException {
        Files.createDirectories(projectCache);
        Path project = projectCache.getParent();
        Path marker = project.resolve(LAST_USED);
        if (!Files.exists(marker)) {
            Files.createFile(marker);
        }
        Files.setLastModifiedTime(marker, FileTime.fromMillis(System.currentTimeMillis()));
    }

    /** Whether a file's content has the hash its path names (cacache: two directory levels of the hex digest, then the rest). */
    private static boolean matches(Path file, Matcher name) throws IOException {
        String expected = name.group(2) + name.group(3) + name.group(4);
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(ALGORITHMS.get(name.group(1)));
        } catch (NoSuchAlgorithmException e) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, read);
            }
        } catch (NoSuchFileException e) {
            return false;
        }
        return HexFormat.of().formatHex(digest.digest()).equals(expected.toLowerCase(Locale.ROOT));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
