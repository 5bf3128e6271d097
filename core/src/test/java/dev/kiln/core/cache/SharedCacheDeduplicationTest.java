package dev.kiln.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Caches named by package, not content (yarn's, pnpm's): identical files kept once, never placed into another project's cache. */
class SharedCacheDeduplicationTest {

    private static final List<String> DEDUPLICATED = List.of("yarn-cache/v6");

    @TempDir
    Path cache;
    SharedCache shared;
    Path first;
    Path second;

    @BeforeEach
    void projects() throws Exception {
        shared = new SharedCache(cache, 0);
        Assumptions.assumeTrue(shared.links(), "Kiln keeps one copy only when it runs as root");
        first = cache.resolve("project-1/npm");
        second = cache.resolve("project-2/npm");
    }

    private static Path write(Path projectCache, String name, String text) throws Exception {
        Path file = projectCache.resolve("yarn-cache/v6").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private SharedCache.Admitted build(Path projectCache) throws Exception {
        shared.prepare(projectCache, List.of());
        return shared.finish(projectCache, List.of(), DEDUPLICATED);
    }

    @Test
    void identicalFilesOfTwoProjectsBecomeOneReadOnlyCopy() throws Exception {
        Path one = write(first, "npm-pad-1.0.0-abc/node_modules/pad/index.js", "module.exports = 1;");
        Path tool = write(first, "npm-pad-1.0.0-abc/node_modules/pad/cli.js", "#!/usr/bin/env node");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(build(first).deduplicated()).isEqualTo(2);
        Path two = write(second, "npm-pad-1.0.0-abc/node_modules/pad/index.js", "module.exports = 1;");
        Path other = write(second, "npm-pad-1.0.0-abc/node_modules/pad/README.md", "second's own");

        assertThat(build(second).deduplicated()).isEqualTo(2);

        assertThat(Files.isSameFile(one, two)).isTrue();
        assertThat(two).hasContent("module.exports = 1;");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(two))).isEqualTo("r--r--r--");
        // An executable keeps its bit: a package's bin still runs.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tool))).isEqualTo("r-xr-xr-x");
        // Only what the second project has is in its cache: nothing of the first's is placed there.
        assertThat(second.resolve("yarn-cache/v6/npm-pad-1.0.0-abc/node_modules/pad/cli.js")).doesNotExist();
        assertThat(other).hasContent("second's own");
        // Already linked files are left as they are on the next build.
        assertThat(build(first).deduplicated()).isZero();
    }

    @Test
    void aReplacedFileJoinsTheCopyOfItsOwnContentOnly() throws Exception {
        Path genuine = write(first, "npm-pad-1.0.0-abc/node_modules/pad/index.js", "module.exports = 1;");
        build(first);
        Path hostile = second.resolve("yarn-cache/v6/npm-pad-1.0.0-abc/node_modules/pad/index.js");
        write(second, "npm-pad-1.0.0-abc/node_modules/pad/index.js", "module.exports = 1;");
        build(second);
        // The build of the second project replaces its link with other content, as a build may.
        Files.delete(hostile);
        Files.writeString(hostile, "module.exports = 'forged';");

        build(second);

        assertThat(genuine).hasContent("module.exports = 1;");
        assertThat(Files.isSameFile(genuine, hostile)).isFalse();
        assertThat(hostile).hasContent("module.exports = 'forged';");
        Path third = write(cache.resolve("project-3/npm"), "npm-pad-1.0.0-abc/node_modules/pad/index.js", "module.exports = 1;");
        build(cache.resolve("project-3/npm"));
        assertThat(Files.isSameFile(genuine, third)).isTrue();
    }

    @Test
    void theLimitAndClearingACacheStillHold() throws Exception {
        write(first, "npm-big-1.0.0-abc/node_modules/big/data.bin", "x".repeat(10_000));
        build(first);
        write(second, "npm-big-1.0.0-abc/node_modules/big/data.bin", "x".repeat(10_000));
        build(second);
        // Two projects, one copy on disk.
        assertThat(DiskUsage.of(cache)).isLessThan(12_000);

        SharedCache limited = new SharedCache(cache, 1_000);
        limited.evict();

        assertThat(DiskUsage.of(cache)).isLessThanOrEqualTo(1_000);
    }
}
