package dev.kiln.plugin.npm;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shares yarn 1's downloads between the projects of a node through yarn's offline mirror: yarn
 * keeps every tarball it downloads in the mirror and, when the tarball a lockfile names is there,
 * installs from it without downloading, after checking it against the lockfile's integrity.
 *
 * <p>The node's store shares tarballs by the SHA-1 that {@code yarn.lock} names in each
 * {@code resolved} URL ({@code tarballs/sha1/ab/cd/<rest>}, checked by Kiln against its content
 * before any other project gets it). Before an install the tarballs this project's lockfile names
 * and the store has are linked into its mirror under yarn's file names; after the install the
 * tarballs yarn downloaded are offered to the store under the SHA-1 the lockfile names, which Kiln
 * refuses when the content does not match.
 */
final class YarnMirror {

    /** The content-addressed tarballs, relative to the builder's cache directory. */
    static final String TARBALLS = "yarn-tarballs";
    /** yarn's offline mirror, relative to the builder's cache directory. */
    static final String MIRROR = "yarn-mirror";
    private static final Pattern RESOLVED = Pattern.compile("(?m)^\\s+resolved\\s+\"?([^\"\\s#]+)#([0-9a-f]{40})\"?\\s*$");

    private YarnMirror() {
    }

    /** One tarball a lockfile names: its file name in the mirror and its SHA-1. */
    record Tarball(String mirrorName, String sha1) {

        Path stored(Path cache) {
            return cache.resolve(TARBALLS).resolve("sha1").resolve(sha1.substring(0, 2)).resolve(sha1.substring(2, 4))
                    .resolve(sha1.substring(4));
        }
    }

    /**
     * The tarballs a {@code yarn.lock} names with a SHA-1.
     *
     * @param lockfile the lockfile
     * @return the tarballs; empty when the file cannot be read
     */
    static List<Tarball> tarballs(Path lockfile) {
        String text;
        try {
            text = Files.readString(lockfile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
        List<Tarball> tarballs = new ArrayList<>();
        Matcher matcher = RESOLVED.matcher(text);
        while (matcher.find()) {
            mirrorName(matcher.group(1)).ifPresent(name -> tarballs.add(new Tarball(name, matcher.group(2))));
        }
        return tarballs;
    }

    /** yarn's name for a tarball in the mirror: the URL's file name, after the scope for scoped packages. */
    static java.util.Optional<String> mirrorName(String url) {
        String path;
        try {
            path = URI.create(url).getPath();
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
        if (path == null) {
            return java.util.Optional.empty();
        }
        String[] parts = path.split("/");
        String base = parts.length == 0 ? "" : parts[parts.length - 1];
        if (!base.endsWith(".tgz") || base.startsWith(".") || base.contains("\\")) {
            return java.util.Optional.empty();
        }
        String name = parts.length > 1 && parts[1].startsWith("@") ? parts[1] + "-" + base : base;
        return name.contains("/") ? java.util.Optional.empty() : java.util.Optional.of(name);
    }

    /**
     * Links the stored tarballs a lockfile names into the mirror, replacing what is there.
     *
     * @param tarballs what the lockfile names
     * @param cache the builder's cache directory
     * @return how many tarballs the mirror now has from the store
     * @throws IOException when the cache cannot be written
     */
    static int linkStored(List<Tarball> tarballs, Path cache) throws IOException {
        int linked = 0;
        Path mirror = cache.resolve(MIRROR);
        if (!inside(mirror, cache)) {
            return 0;
        }
        for (Tarball tarball : tarballs) {
            Path stored = tarball.stored(cache);
            if (!Files.isRegularFile(stored, LinkOption.NOFOLLOW_LINKS) || !inside(stored.getParent(), cache)) {
                continue;
            }
            Path target = mirror.resolve(tarball.mirrorName());
            if (!(Files.exists(target) && Files.isSameFile(target, stored))) {
                Path link = mirror.resolve(".link-" + UUID.randomUUID());
                Files.createLink(link, stored);
                Files.move(link, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            linked++;
        }
        return linked;
    }

    /**
     * Whether a directory of the cache is really there: a build owns the cache's folders and could
     * leave a symbolic link where Kiln, which runs this code, would then write.
     */
    private static boolean inside(Path directory, Path cache) throws IOException {
        return Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS) && directory.toRealPath().startsWith(cache.toRealPath());
    }

    /** Creates a folder of the cache one level at a time, refusing any level that is not a real directory. */
    private static boolean makeDirectories(Path cache, Path directory) throws IOException {
        Path current = cache;
        for (Path name : cache.relativize(directory)) {
            current = current.resolve(name);
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
            } else if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Offers the tarballs yarn put into the mirror to the store, named by the SHA-1 the lockfile
     * gives; Kiln checks each against its name before sharing it.
     *
     * @param tarballs what the lockfile names
     * @param cache the builder's cache directory
     * @return how many were offered
     * @throws IOException when the cache cannot be written
     */
    static int offerDownloaded(List<Tarball> tarballs, Path cache) throws IOException {
        int offered = 0;
        for (Tarball tarball : tarballs) {
            Path downloaded = cache.resolve(MIRROR).resolve(tarball.mirrorName());
            Path stored = tarball.stored(cache);
            if (!Files.isRegularFile(downloaded, LinkOption.NOFOLLOW_LINKS) || !inside(downloaded.getParent(), cache)
                    || Files.exists(stored, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (makeDirectories(cache, stored.getParent())) {
                Files.createLink(stored, downloaded);
                offered++;
            }
        }
        return offered;
    }
}
