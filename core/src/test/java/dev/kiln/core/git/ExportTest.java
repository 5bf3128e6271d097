package dev.kiln.core.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.kiln.core.git.TestRepos.Entry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportTest {

    @TempDir
    Path temp;

    GitMirrors mirrors;
    Git source;
    String url;
    Path out;

    @BeforeEach
    void setUp() throws Exception {
        mirrors = new GitMirrors(temp.resolve("mirrors"), Duration.ofSeconds(2));
        source = TestRepos.init(temp.resolve("source"));
        url = TestRepos.url(source);
        out = temp.resolve("workspaces/1/src");
    }

    @AfterEach
    void tearDown() {
        source.close();
    }

    @Test
    void writesNestedFilesExecutableBitAndOnlySymlinksThatStayInside() throws Exception {
        Path work = source.getRepository().getWorkTree().toPath();
        Files.createDirectories(work.resolve("assets/css"));
        Files.writeString(work.resolve("index.html"), "<h1>hello</h1>");
        Files.writeString(work.resolve("assets/css/site.css"), "body { margin: 0 }");
        Files.createDirectories(work.resolve("bin"));
        Files.writeString(work.resolve("bin/build.sh"), "#!/bin/sh\necho built\n");
        Files.setPosixFilePermissions(work.resolve("bin/build.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(work.resolve("styles"), Path.of("assets/css"));
        Files.createSymbolicLink(work.resolve("assets/home"), Path.of("../index.html"));
        Files.createSymbolicLink(work.resolve("escape"), Path.of("../../../etc/passwd"));
        Files.createSymbolicLink(work.resolve("absolute"), Path.of("/etc/passwd"));
        source.add().addFilepattern(".").call();
        RevCommit commit = source.commit().setMessage("site").setAuthor(TestRepos.ADA).setCommitter(TestRepos.ADA).setSign(false).call();
        mirrors.fetchBranch("project-1", url, "main");

        ExportResult result = mirrors.export("project-1", url, "main", commit.name(), out);

        assertThat(out.resolve("index.html")).hasContent("<h1>hello</h1>");
        assertThat(out.resolve("assets/css/site.css")).hasContent("body { margin: 0 }");
        assertThat(out.resolve("bin/build.sh")).hasContent("#!/bin/sh\necho built");
        assertThat(Files.getPosixFilePermissions(out.resolve("bin/build.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getPosixFilePermissions(out.resolve("index.html"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.readSymbolicLink(out.resolve("styles"))).isEqualTo(Path.of("assets/css"));
        assertThat(out.resolve("styles/site.css")).hasContent("body { margin: 0 }");
        assertThat(out.resolve("assets/home")).hasContent("<h1>hello</h1>");
        assertThat(Files.exists(out.resolve("escape"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(out.resolve("absolute"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(out.resolve(".git")).doesNotExist();
        assertThat(result.files()).isEqualTo(5); // three files and two links
        assertThat(result.bytes()).isEqualTo("<h1>hello</h1>".length() + "body { margin: 0 }".length() + "#!/bin/sh\necho built\n".length());
        assertThat(result.warnings()).containsExactlyInAnyOrder(
                "skipped symbolic link 'absolute' -> '/etc/passwd': it points outside the checkout",
                "skipped symbolic link 'escape' -> '../../../etc/passwd': it points outside the checkout");
    }

    @Test
    void skipsSubmodulesDotGitAndTraversingNames() throws Exception {
        Map<String, Entry> tree = new LinkedHashMap<>();
        tree.put("ok.txt", Entry.file("fine"));
        tree.put("../evil.txt", Entry.file("outside"));
        tree.put("deep/../../evil2.txt", Entry.file("outside"));
        tree.put("./dot.txt", Entry.file("dot"));
        tree.put(".git/config", Entry.file("[core]\n\thooksPath = /tmp\n"));
        tree.put(".GIT/hooks/post-checkout", Entry.file("#!/bin/sh\n"));
        tree.put("vendor/lib", Entry.submodule("0123456789012345678901234567890123456789"));
        RevCommit commit = TestRepos.commitTree(source.getRepository(), "main", "hostile", tree);

        ExportResult result = mirrors.export("project-1", url, "main", commit.name(), out);

        try (Stream<Path> written = Files.walk(out.getParent().getParent())) {
            assertThat(written.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()))
                    .containsExactly("ok.txt");
        }
        assertThat(out.resolve("vendor")).isDirectory();
        assertThat(out.resolve("vendor/lib")).doesNotExist();
        assertThat(temp.resolve("workspaces/1/evil.txt")).doesNotExist();
        assertThat(result.files()).isEqualTo(1);
        assertThat(result.warnings()).containsExactlyInAnyOrder(
                "skipped '..': '..' is not a valid file name",
                "skipped '.': '.' is not a valid file name",
                "skipped '.git': a .git entry is never checked out",
                "skipped '.GIT': a .git entry is never checked out",
                "skipped 'deep/..': '..' is not a valid file name",
                "skipped submodule 'vendor/lib': submodules are not checked out here");
    }

    @Test
    void symlinksAreJudgedByWhereTheyResolveNotByTheirText() throws Exception {
        Map<String, Entry> tree = new LinkedHashMap<>();
        tree.put("inner.txt", Entry.file("inner"));
        tree.put("here", Entry.link("."));
        // Reads as inside ("here/.." cancels out) but here -> . makes it ../secret.
        tree.put("sneaky", Entry.link("here/../secret"));
        tree.put("via-here", Entry.link("here/inner.txt"));
        tree.put("loop-a", Entry.link("loop-b"));
        tree.put("loop-b", Entry.link("loop-a"));
        tree.put("d/up", Entry.link(".."));
        tree.put("d/up-too-far", Entry.link("../.."));
        tree.put("d/to-escape", Entry.link("../sneaky"));
        RevCommit commit = TestRepos.commitTree(source.getRepository(), "main", "links", tree);

        ExportResult result = mirrors.export("project-1", url, "main", commit.name(), out);

        assertThat(out.resolve("via-here")).hasContent("inner");
        assertThat(out.resolve("d/up/inner.txt")).hasContent("inner");
        for (String skipped : List.of("sneaky", "loop-a", "loop-b", "d/up-too-far", "d/to-escape")) {
            assertThat(Files.exists(out.resolve(skipped), LinkOption.NOFOLLOW_LINKS)).as(skipped).isFalse();
        }
        assertThat(result.warnings()).hasSize(5).allMatch(w -> w.endsWith("it points outside the checkout"));
    }

    @Test
    void linkSharingItsNameWithADirectoryIsNotTrustedForResolution() throws Exception {
        Map<String, Entry> tree = new LinkedHashMap<>();
        tree.put("a", Entry.link("b/c"));
        tree.put("a/file.txt", Entry.file("in a directory"));
        tree.put("b/c/keep.txt", Entry.file("keep"));
        // "a" ends up a real directory, so this is ../.. from the checkout, not b.
        tree.put("x", Entry.link("a/../.."));
        RevCommit commit = TestRepos.commitTree(source.getRepository(), "main", "clash", tree);

        ExportResult result = mirrors.export("project-1", url, "main", commit.name(), out);

        assertThat(out.resolve("a")).isDirectory();
        assertThat(out.resolve("a/file.txt")).hasContent("in a directory");
        assertThat(Files.exists(out.resolve("x"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(result.warnings()).containsExactlyInAnyOrder(
                "skipped symbolic link 'a': a file or directory of that name exists",
                "skipped symbolic link 'x' -> 'a/../..': it points outside the checkout");
    }

    @Test
    void unusualButHarmlessModesAreWritten() throws Exception {
        Map<String, Entry> tree = new LinkedHashMap<>();
        // Old git wrote group-writable files as 100664; they are plain files.
        tree.put("old.txt", new Entry(FileMode.fromBits(0100664), "old".getBytes()));
        tree.put("run", new Entry(FileMode.EXECUTABLE_FILE, "#!/bin/sh\n".getBytes()));
        RevCommit commit = TestRepos.commitTree(source.getRepository(), "main", "modes", tree);

        ExportResult result = mirrors.export("project-1", url, "main", commit.name(), out);

        assertThat(out.resolve("old.txt")).hasContent("old");
        assertThat(Files.isExecutable(out.resolve("old.txt"))).isFalse();
        assertThat(Files.isExecutable(out.resolve("run"))).isTrue();
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void exportFetchesACommitTheMirrorDoesNotHaveYet() throws Exception {
        RevCommit first = TestRepos.commit(source, "first", Map.of("a.txt", "one"));
        // No mirror at all yet, as on a node that never built this project.
        ExportResult result = mirrors.export("project-1", url, "main", first.name(), out);
        assertThat(out.resolve("a.txt")).hasContent("one");
        assertThat(result.files()).isEqualTo(1);

        // Another node fetched the second commit; this node's mirror only has the first.
        RevCommit second = TestRepos.commit(source, "second", Map.of("a.txt", "two"));
        Path again = temp.resolve("workspaces/2/src");
        mirrors.export("project-1", url, "main", second.name(), again);
        assertThat(again.resolve("a.txt")).hasContent("two");
    }

    @Test
    void exportOfAnOlderCommitNeedsNoFetch() throws Exception {
        RevCommit first = TestRepos.commit(source, "first", Map.of("a.txt", "one"));
        TestRepos.commit(source, "second", Map.of("a.txt", "two"));
        mirrors.fetchBranch("project-1", url, "main");
        // The remote is gone; the mirror alone must do.
        Path moved = temp.resolve("gone");
        Files.move(temp.resolve("source"), moved);

        mirrors.export("project-1", url, "main", first.name(), out);

        assertThat(out.resolve("a.txt")).hasContent("one");
    }

    @Test
    void unknownOrMalformedCommitIsUnknownCommit() throws Exception {
        TestRepos.commit(source, "first", Map.of("a.txt", "one"));
        String missing = "0123456789abcdef0123456789abcdef01234567";

        GitException unknown = catchThrowableOfType(GitException.class,
                () -> mirrors.export("project-1", url, "main", missing, out));
        assertThat(unknown.kind()).isEqualTo(GitException.Kind.UNKNOWN_COMMIT);
        assertThat(unknown.getMessage()).isEqualTo("commit " + missing + " not found on branch 'main' of " + url);

        for (String bad : new String[] {"abc123", "HEAD", "main", null, missing + "0", "g".repeat(40)}) {
            GitException e = catchThrowableOfType(GitException.class, () -> mirrors.export("project-1", url, "main", bad, out));
            assertThat(e.kind()).as(String.valueOf(bad)).isEqualTo(GitException.Kind.UNKNOWN_COMMIT);
        }
    }

    @Test
    void idOfATreeIsNotACommit() throws Exception {
        RevCommit commit = TestRepos.commit(source, "first", Map.of("a.txt", "one"));
        mirrors.fetchBranch("project-1", url, "main");

        GitException e = catchThrowableOfType(GitException.class,
                () -> mirrors.export("project-1", url, "main", commit.getTree().name(), out));

        assertThat(e.kind()).isEqualTo(GitException.Kind.UNKNOWN_COMMIT);
        assertThat(e.getMessage()).contains("is not a commit");
    }

    @Test
    void exportOfAnUnknownBranchIsUnknownBranch() throws Exception {
        TestRepos.commit(source, "first", Map.of("a.txt", "one"));
        GitException e = catchThrowableOfType(GitException.class,
                () -> mirrors.export("project-1", url, "gone", "0123456789abcdef0123456789abcdef01234567", out));
        assertThat(e.kind()).isEqualTo(GitException.Kind.UNKNOWN_BRANCH);
    }

    @Test
    void targetMustBeAnEmptyDirectory() throws Exception {
        RevCommit commit = TestRepos.commit(source, "first", Map.of("a.txt", "one"));
        Files.createDirectories(out);
        Files.writeString(out.resolve("left-over"), "x");

        GitException notEmpty = catchThrowableOfType(GitException.class,
                () -> mirrors.export("project-1", url, "main", commit.name(), out));
        assertThat(notEmpty.kind()).isEqualTo(GitException.Kind.IO);
        assertThat(notEmpty.getMessage()).endsWith("the directory is not empty");

        Path file = Files.writeString(temp.resolve("a-file"), "x");
        GitException notDirectory = catchThrowableOfType(GitException.class,
                () -> mirrors.export("project-1", url, "main", commit.name(), file));
        assertThat(notDirectory.kind()).isEqualTo(GitException.Kind.IO);

        Path empty = Files.createDirectories(temp.resolve("empty"));
        mirrors.export("project-1", url, "main", commit.name(), empty);
        assertThat(empty.resolve("a.txt")).hasContent("one");
    }

    @Test
    void concurrentExportsOfOneKeyAllSucceed() throws Exception {
        RevCommit commit = TestRepos.commit(source, "first", Map.of("a.txt", "one", "b/c.txt", "two"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ExportResult>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Path target = temp.resolve("parallel/" + i);
                results.add(pool.submit(() -> mirrors.export("project-1", url, "main", commit.name(), target)));
            }
            for (Future<ExportResult> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS).files()).isEqualTo(2);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 8; i++) {
            assertThat(temp.resolve("parallel/" + i + "/b/c.txt")).hasContent("two");
        }
    }

    /** Not a benchmark: a guard that a warm fetch plus export stays in the tens of milliseconds. */
    @Test
    void warmFetchAndExportOfASmallRepositoryIsFast() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            files.put("src/page-" + i + ".html", "<p>page " + i + "</p>\n".repeat(20));
        }
        TestRepos.commit(source, "initial", files);
        mirrors.fetchBranch("project-1", url, "main");
        mirrors.export("project-1", url, "main", TestRepos.commit(source, "warm", Map.of("a.txt", "warm")).name(), temp.resolve("warm"));

        List<Long> fetchMicros = new ArrayList<>();
        List<Long> exportMicros = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            TestRepos.commit(source, "change " + round, Map.of("src/page-0.html", "round " + round));
            long start = System.nanoTime();
            CommitInfo head = mirrors.fetchBranch("project-1", url, "main");
            long fetched = System.nanoTime();
            mirrors.export("project-1", url, "main", head.sha(), temp.resolve("timed/" + round));
            long exported = System.nanoTime();
            fetchMicros.add((fetched - start) / 1000);
            exportMicros.add((exported - fetched) / 1000);
        }
        long fetchMedian = fetchMicros.stream().sorted().collect(Collectors.toList()).get(5);
        long exportMedian = exportMicros.stream().sorted().collect(Collectors.toList()).get(5);
        System.out.printf("warm fetch median %.1f ms, export (22 files) median %.1f ms; fetches %s us, exports %s us%n",
                fetchMedian / 1000.0, exportMedian / 1000.0, fetchMicros, exportMicros);
        assertThat(fetchMedian + exportMedian).isLessThan(500_000);
    }
}
