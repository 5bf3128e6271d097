package dev.kiln.plugin.npm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YarnMirrorTest {

    @TempDir
    Path temp;

    @Test
    void namesTarballsAsYarnsMirrorDoes() {
        assertThat(YarnMirror.mirrorName("https://registry.yarnpkg.com/is-number/-/is-number-7.0.0.tgz")).hasValue("is-number-7.0.0.tgz");
        assertThat(YarnMirror.mirrorName("https://registry.yarnpkg.com/@babel/core/-/core-7.24.0.tgz")).hasValue("@babel-core-7.24.0.tgz");
        assertThat(YarnMirror.mirrorName("https://example.com/not-a-tarball")).isEmpty();
        assertThat(YarnMirror.mirrorName("::not a url::")).isEmpty();
    }

    @Test
    void readsTheSha1OfEveryResolvedTarball() throws Exception {
        Path lockfile = temp.resolve("yarn.lock");
        Files.writeString(lockfile, """
                "@babel/core@^7.0.0":
                  version "7.24.0"
                  resolved "https://registry.yarnpkg.com/@babel/core/-/core-7.24.0.tgz#0123456789abcdef0123456789abcdef01234567"

                is-number@7.0.0:
                  resolved "https://registry.yarnpkg.com/is-number/-/is-number-7.0.0.tgz#7535345b896734d5f80c4d06c50955527a14f12b"

                local@file:../local:
                  resolved "file:../local"
                """);

        assertThat(YarnMirror.tarballs(lockfile)).containsExactly(
                new YarnMirror.Tarball("@babel-core-7.24.0.tgz", "0123456789abcdef0123456789abcdef01234567"),
                new YarnMirror.Tarball("is-number-7.0.0.tgz", "7535345b896734d5f80c4d06c50955527a14f12b"));
    }

    @Test
    void neverWritesThroughALinkABuildLeftInTheCache() throws Exception {
        Path cache = Files.createDirectories(temp.resolve("cache"));
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        List<YarnMirror.Tarball> tarballs = List.of(new YarnMirror.Tarball("is-number-7.0.0.tgz", "7535345b896734d5f80c4d06c50955527a14f12b"));
        Files.createDirectories(cache.resolve(YarnMirror.MIRROR));
        Files.writeString(cache.resolve(YarnMirror.MIRROR).resolve("is-number-7.0.0.tgz"), "downloaded");
        Files.createSymbolicLink(cache.resolve(YarnMirror.TARBALLS), elsewhere);

        assertThat(YarnMirror.offerDownloaded(tarballs, cache)).isZero();
        try (var files = Files.walk(elsewhere)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }

        Files.delete(cache.resolve(YarnMirror.TARBALLS));
        assertThat(YarnMirror.offerDownloaded(tarballs, cache)).isOne();
        Files.delete(cache.resolve(YarnMirror.MIRROR).resolve("is-number-7.0.0.tgz"));
        Files.delete(cache.resolve(YarnMirror.MIRROR));
        Files.createSymbolicLink(cache.resolve(YarnMirror.MIRROR), elsewhere);
        assertThat(YarnMirror.linkStored(tarballs, cache)).isZero();
        try (var files = Files.walk(elsewhere)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }
}
