package dev.kiln.core.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;


/** Sizes of directory trees as the disk sees them: a file with several hard links counts once. */
final class DiskUsage {

    private DiskUsage() {
    }

    /**
     * The bytes of the regular files under a directory, each inode once.
     *
     * @param root the directory
     * @return the total
     * @throws IOException when the tree cannot be read
     */
    static long of(Path root) throws IOException {
        Set<Object> seen = new HashSet<>();
        long total = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (java.nio.file.NoSuchFileException e) {
                    continue;
                }
                if (attributes.isRegularFile() && (attributes.fileKey() == null || seen.add(attributes.fileKey()))) {
                    total += attributes.size();
                }
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return total;
    }
}
