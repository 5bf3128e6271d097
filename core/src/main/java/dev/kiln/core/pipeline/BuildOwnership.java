package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Which files of a build's directories belong to the build account, when Kiln runs as root and
 * builds do not: what the host hands over before a build.
 */
final class BuildOwnership {

    private BuildOwnership() {
    }

    /**
     * Gives the build account the directories under {@code root} (not the files), so it can add
     * and remove entries there while files Kiln linked in stay Kiln's.
     *
     * @param root an existing directory
     * @param uid the build account, also its group
     * @throws IOException when a directory cannot be given
     */
    static void giveDirectories(Path root, int uid) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) throws IOException {
                if (!Files.readAttributes(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS).get("uid").equals(uid)) {
                    Files.setAttribute(directory, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(directory, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Gives a whole tree to the build account, unless its top is the account's already (what the build
     * made inside is its own).
     *
     * @param root the tree
     * @param uid the build account, also its group
     * @throws IOException when a file cannot be given
     */
    static void giveTree(Path root, int uid) throws IOException {
        if (Files.readAttributes(root, "unix:uid", LinkOption.NOFOLLOW_LINKS).get("uid").equals(uid)) {
            // Given already; what the build made inside is its own.
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) throws IOException {
                give(directory);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                give(file);
                return FileVisitResult.CONTINUE;
            }

            private void give(Path path) throws IOException {
                if (!Files.readAttributes(path, "unix:uid", LinkOption.NOFOLLOW_LINKS).get("uid").equals(uid)) {
                    Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(path, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
                }
            }
        });
    }
}
