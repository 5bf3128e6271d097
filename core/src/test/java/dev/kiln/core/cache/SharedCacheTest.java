package dev.kiln.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedCacheTest {

    private static final List<String> CONTENT = List.of("npm/content-v2");

    @TempDir
    Path cache;

    /** Writes content under its cacache name in a project's cache; returns the relative name. */
    private static String entry(Path projectCache, String text) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(text.getBytes(StandardCharsets.UTF_8)));
        String name = "sha512/" + hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex.substring(4);
        Path file = projectCache.resolve("npm/content-v2").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return name;
    }

    @Test
    void verifiedFilesAreSharedAndForgedOnesAreNot() throws Exception {
        SharedCache shared = new SharedCache(cache, 0);
        Path first = cache.resolve("project-1/npm");
        Path second = cache.resolve("project-2/npm");
        shared.prepare(first, CONTENT);
        String genuine = entry(first, "a package");
        String forgedName = entry(first, "what the name says");
        Files.writeString(first.resolve("npm/content-v2").resolve(forgedName), "something else");

        SharedCache.Admitted admitted = shared.finish(first, CONTENT);

        assertThat(admitted.admitted()).isEqualTo(1);
        assertThat(admitted.refused()).containsExactly("npm/content-v2/" + forgedName);
        assertThat(shared.prepare(second, CONTENT)).isEqualTo(1);
        assertThat(second.resolve("npm/content-v2").resolve(genuine)).hasContent("a package");
        assertThat(second.resolve("npm/content-v2").resolve(forgedName)).doesNotExist();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(cache.resolve("shared/npm/content-v2").resolve(genuine)))).isEqualTo("r--r--r--");
        if (shared.links()) {
            assertThat(Files.isSameFile(second.resolve("npm/content-v2").resolve(genuine), first.resolve("npm/content-v2").resolve(genuine)))
                    .isTrue();
        }
    }

    @Test
    void aLinkTheBuildLeftInItsCacheIsNeverFollowed() throws Exception {
        SharedCache shared = new SharedCache(cache, 0);
        Path first = cache.resolve("project-1/npm");
        shared.prepare(first, CONTENT);
        String genuine = entry(first, "a package");
        shared.finish(first, CONTENT);
        // The next project's build pointed its content directory, then a sub-directory, elsewhere.
        Path elsewhere = Files.createDirectories(cache.resolve("elsewhere"));
        Path second = cache.resolve("project-2/npm");
        Files.createDirectories(second.resolve("npm"));
        Files.createSymbolicLink(second.resolve("npm/content-v2"), elsewhere);
        Path third = cache.resolve("project-3/npm");
        Files.createDirectories(third.resolve("npm/content-v2/sha512"));
        Files.createSymbolicLink(third.resolve("npm/content-v2/sha512").resolve(genuine.split("/")[1]), elsewhere);

        assertThat(shared.prepare(second, CONTENT)).isZero();
        assertThat(shared.prepare(third, CONTENT)).isZero();

        try (var left = Files.list(elsewhere)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void overTheLimitTheLeastRecentlyUsedProjectCacheGoesFirst() throws Exception {
        SharedCache unlimited = new SharedCache(cache, 0);
        for (String project : List.of("project-1", "project-2", "project-3")) {
            unlimited.prepare(cache.resolve(project + "/npm"), CONTENT);
            Files.write(cache.resolve(project + "/npm/own-state.bin"), new byte[1000]);
            unlimited.finish(cache.resolve(project + "/npm"), CONTENT);
        }
        SharedCache shared = new SharedCache(cache, 1500);
        // project-2 was used longest ago, then project-1; project-3 stays as the newest.
        Files.setLastModifiedTime(cache.resolve("project-2/" + SharedCache.LAST_USED), FileTime.fromMillis(1_000));
        Files.setLastModifiedTime(cache.resolve("project-1/" + SharedCache.LAST_USED), FileTime.fromMillis(2_000));

        long freed = shared.evict();

        assertThat(freed).isEqualTo(2000);
        assertThat(cache.resolve("project-1")).doesNotExist();
        assertThat(cache.resolve("project-2")).doesNotExist();
        assertThat(cache.resolve("project-3/npm/own-state.bin")).exists();
        assertThat(DiskUsage.of(cache)).isLessThanOrEqualTo(1500);
    }

    @Test
    void aProjectBuildingNowIsNotEvicted() throws Exception {
        SharedCache shared = new SharedCache(cache, 10);
        shared.prepare(cache.resolve("project-1/npm"), CONTENT);
        Files.write(cache.resolve("project-1/npm/own-state.bin"), new byte[1000]);

        shared.evict();

        assertThat(cache.resolve("project-1/npm/own-state.bin")).exists();
        shared.finish(cache.resolve("project-1/npm"), CONTENT);
        assertThat(cache.resolve("project-1")).doesNotExist();
    }
}
