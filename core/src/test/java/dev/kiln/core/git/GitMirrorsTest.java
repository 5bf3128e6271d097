package dev.kiln.core.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitMirrorsTest {

    @TempDir
    Path temp;

    Path mirrorsRoot;
    GitMirrors mirrors;
    Git source;
    String url;

    @BeforeEach
    void setUp() throws Exception {
        mirrorsRoot = temp.resolve("mirrors");
        mirrors = new GitMirrors(mirrorsRoot, Duration.ofSeconds(2));
        source = TestRepos.init(temp.resolve("source"));
        url = TestRepos.url(source);
    }

    @AfterEach
    void tearDown() {
        source.close();
    }

    @Test
    void firstFetchCreatesBareMirrorAndDescribesNewestCommit() throws Exception {
        TestRepos.commit(source, "first", Map.of("a.txt", "a"));
        RevCommit head = TestRepos.commit(source, "Add the index page\n\nA longer body\nthat is not shown.", Map.of("index.html", "<h1>hi</h1>"));

        CommitInfo info = mirrors.fetchBranch("project-1", url, "main");

        assertThat(info.sha()).isEqualTo(head.name()).hasSize(40);
        assertThat(info.message()).isEqualTo("Add the index page");
        assertThat(info.author()).isEqualTo("Ada Lovelace");
        assertThat(info.committedAt()).isEqualTo(head.getCommitterIdent().getWhenAsInstant());
        Path mirror = mirrorsRoot.resolve("project-1.git");
        assertThat(mirror.resolve("HEAD")).isRegularFile();
        assertThat(mirror.resolve("objects")).isDirectory();
        try (Repository repo = openBare(mirror)) {
            assertThat(repo.isBare()).isTrue();
            assertThat(repo.exactRef("refs/heads/main").getObjectId()).isEqualTo(head);
            // The stored remote is the repository's URL, so a later fetch knows where it came from.
            assertThat(repo.getConfig().getString("remote", "origin", "url")).isEqualTo(url);
        }
    }

    @Test
    void fetchesOnlyTheOneBranchAndNoTags() throws Exception {
        RevCommit main = TestRepos.commit(source, "main", Map.of("a.txt", "a"));
        source.tag().setName("v1").setAnnotated(false).call();
        source.branchCreate().setName("other").call();
        source.checkout().setName("other").call();
        TestRepos.commit(source, "other only", Map.of("b.txt", "b"));

        mirrors.fetchBranch("project-1", url, "main");

        try (Repository repo = openBare(mirrorsRoot.resolve("project-1.git"))) {
            assertThat(repo.getRefDatabase().getRefsByPrefix("refs/")).extracting(Ref::getName).containsExactly("refs/heads/main");
            assertThat(repo.exactRef("refs/heads/main").getObjectId()).isEqualTo(main);
        }
        assertThat(mirrors.fetchBranch("project-1", url, "other").message()).isEqualTo("other only");
    }

    @Test
    void secondFetchReturnsTheNewCommitAndReusesTheMirror() throws Exception {
        TestRepos.commit(source, "first", Map.of("a.txt", "a", "big.txt", "x".repeat(100_000)));
        mirrors.fetchBranch("project-1", url, "main");
        Path mirror = mirrorsRoot.resolve("project-1.git");
        Path marker = Files.writeString(mirror.resolve("kiln-test-marker"), "still here");
        Set<Path> packsBefore = packs(mirror);

        RevCommit second = TestRepos.commit(source, "second", Map.of("a.txt", "changed"));
        CommitInfo info = mirrors.fetchBranch("project-1", url, "main");

        assertThat(info.sha()).isEqualTo(second.name());
        assertThat(info.message()).isEqualTo("second");
        assertThat(marker).exists();
        assertThat(packs(mirror)).containsAll(packsBefore).hasSize(packsBefore.size() + 1);
        // Only the new commit, its tree and one blob came over, not big.txt again.
        Set<Path> added = packs(mirror);
        added.removeAll(packsBefore);
        assertThat(Files.size(added.iterator().next())).isLessThan(1_000);
    }

    @Test
    void fetchWithNothingNewSucceedsWithTheSameCommit() throws Exception {
        RevCommit head = TestRepos.commit(source, "only", Map.of("a.txt", "a"));
        mirrors.fetchBranch("project-1", url, "main");
        assertThat(mirrors.fetchBranch("project-1", url, "main").sha()).isEqualTo(head.name());
    }

    @Test
    void unknownBranchIsUnknownBranchAndLeavesNoHalfMadeMirror() throws Exception {
        TestRepos.commit(source, "first", Map.of("a.txt", "a"));

        GitException e = catchThrowableOfType(GitException.class, () -> mirrors.fetchBranch("project-1", url, "nope"));

        assertThat(e.kind()).isEqualTo(GitException.Kind.UNKNOWN_BRANCH);
        assertThat(e.getMessage()).isEqualTo("branch 'nope' not found in " + url);
        assertThat(mirrorsRoot.resolve("project-1.git")).doesNotExist();
        assertThat(mirrors.fetchBranch("project-1", url, "main").message()).isEqualTo("first");
    }

    @Test
    void unknownBranchOnAnExistingMirrorLeavesItUsable() throws Exception {
        RevCommit head = TestRepos.commit(source, "first", Map.of("a.txt", "a"));
        mirrors.fetchBranch("project-1", url, "main");

        assertThatThrownBy(() -> mirrors.fetchBranch("project-1", url, "nope"))
                .isInstanceOfSatisfying(GitException.class, e -> assertThat(e.kind()).isEqualTo(GitException.Kind.UNKNOWN_BRANCH));

        assertThat(mirrors.fetchBranch("project-1", url, "main").sha()).isEqualTo(head.name());
    }

    @Test
    void emptyRepositoryHasNoBranch() throws Exception {
        GitException e = catchThrowableOfType(GitException.class, () -> mirrors.fetchBranch("project-1", url, "main"));
        assertThat(e.kind()).isEqualTo(GitException.Kind.UNKNOWN_BRANCH);
    }

    @Test
    void invalidBranchNameIsUnknownBranch() {
        for (String branch : new String[] {"a..b", "", "with space", "x:y", "*", "refs/heads/../x", "a.lock"}) {
            GitException e = catchThrowableOfType(GitException.class, () -> mirrors.fetchBranch("project-1", url, branch));
            assertThat(e.kind()).as(branch).isEqualTo(GitException.Kind.UNKNOWN_BRANCH);
            assertThat(e.getMessage()).as(branch).contains("is not a valid branch name");
        }
        assertThat(mirrorsRoot.resolve("project-1.git")).doesNotExist();
    }

    @Test
    void missingLocalPathIsUnreachable() {
        GitException e = catchThrowableOfType(GitException.class, () -> mirrors.fetchBranch("project-1", "file:///nope", "main"));

        assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).isEqualTo("could not reach file:///nope: no Git repository there");
        assertThat(mirrorsRoot.resolve("project-1.git")).doesNotExist();
    }

    @Test
    void directoryThatIsNoRepositoryIsUnreachable() throws IOException {
        Path plain = Files.createDirectories(temp.resolve("plain"));
        GitException e = catchThrowableOfType(GitException.class,
                () -> mirrors.fetchBranch("project-1", plain.toUri().toString(), "main"));
        assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
    }

    @Test
    void closedPortIsUnreachableQuickly() {
        long start = System.nanoTime();
        GitException e = catchThrowableOfType(GitException.class,
                () -> mirrors.fetchBranch("project-1", "http://127.0.0.1:1/x.git", "main"));

        assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).startsWith("could not reach http://127.0.0.1:1/x.git: ").containsIgnoringCase("refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(mirrorsRoot.resolve("project-1.git")).doesNotExist();
    }

    @Test
    void silentServerTimesOutAfterTheRemoteTimeout() throws Exception {
        GitMirrors quick = new GitMirrors(mirrorsRoot, Duration.ofMillis(300));
        try (LocalHttp server = LocalHttp.silent()) {
            long start = System.nanoTime();
            GitException e = catchThrowableOfType(GitException.class,
                    () -> quick.fetchBranch("project-1", server.url(null, "/x.git"), "main"));

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
            assertThat(e.getMessage()).endsWith(": no answer within 1s");
            // Rounded up to JGit's one second resolution.
            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
    }

    @Test
    void httpNotFoundIsUnreachable() throws Exception {
        try (LocalHttp server = LocalHttp.status(404)) {
            GitException e = catchThrowableOfType(GitException.class,
                    () -> mirrors.fetchBranch("project-1", server.url(null, "/x.git"), "main"));
            assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
            assertThat(e.getMessage()).isEqualTo("could not reach " + server.url(null, "/x.git") + ": no Git repository there");
        }
    }

    @Test
    void refusedCredentialsAreUnreachableAndNeverShown() throws Exception {
        try (LocalHttp server = LocalHttp.status(401)) {
            String secretUrl = server.url("alice:s3cret-t0ken", "/x.git");

            GitException e = catchThrowableOfType(GitException.class, () -> mirrors.fetchBranch("project-1", secretUrl, "main"));

            assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
            assertThat(e.getMessage()).startsWith("could not reach " + server.url(null, "/x.git") + ": ");
            assertNoSecret(e, "s3cret-t0ken", "alice");
        }
    }

    @Test
    void tokenAsUserNameIsNeverShown() throws Exception {
        try (LocalHttp server = LocalHttp.status(401)) {
            GitException e = catchThrowableOfType(GitException.class,
                    () -> mirrors.fetchBranch("project-1", server.url("ghp_abcdef123456", "/x.git"), "main"));
            assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
            assertNoSecret(e, "ghp_abcdef123456");
        }
    }

    @Test
    void missingCredentialsSaySo() throws Exception {
        try (LocalHttp server = LocalHttp.status(401)) {
            GitException e = catchThrowableOfType(GitException.class,
                    () -> mirrors.fetchBranch("project-1", server.url(null, "/x.git"), "main"));
            assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
            assertThat(e.getMessage()).contains("needs credentials");
        }
    }

    @Test
    void credentialsInTheUrlAreUsedButNotStored() throws Exception {
        RevCommit head = TestRepos.commit(source, "over http", Map.of("a.txt", "a"));
        try (LocalHttp server = LocalHttp.dumbGit(source.getRepository(), "alice", "s3cret-t0ken")) {
            CommitInfo info = mirrors.fetchBranch("project-1", server.url("alice:s3cret-t0ken", "/repo.git"), "main");
            assertThat(info.sha()).isEqualTo(head.name());

            String config = Files.readString(mirrorsRoot.resolve("project-1.git/config"));
            assertThat(config).contains(server.url(null, "/repo.git")).doesNotContain("s3cret-t0ken").doesNotContain("alice");

            GitException unknown = catchThrowableOfType(GitException.class,
                    () -> mirrors.fetchBranch("project-1", server.url("alice:s3cret-t0ken", "/repo.git"), "nope"));
            assertThat(unknown.kind()).isEqualTo(GitException.Kind.UNKNOWN_BRANCH);
            assertThat(unknown.getMessage()).isEqualTo("branch 'nope' not found in " + server.url(null, "/repo.git"));

            GitException refused = catchThrowableOfType(GitException.class,
                    () -> mirrors.fetchBranch("project-1", server.url("alice:wr0ng-t0ken", "/repo.git"), "main"));
            assertThat(refused.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
            assertNoSecret(refused, "wr0ng-t0ken", "alice");
        }
    }

    @Test
    void sshRemoteThatRefusesIsUnreachable() {
        GitException e = catchThrowableOfType(GitException.class,
                () -> mirrors.fetchBranch("project-1", "ssh://git@127.0.0.1:1/x.git", "main"));
        assertThat(e.kind()).isEqualTo(GitException.Kind.UNREACHABLE);
    }

    @Test
    void invalidUrlIsRejectedBeforeAnythingIsCreated() {
        GitException e = catchThrowableOfType(GitException.class,
                () -> mirrors.fetchBranch("project-1", "ftp://user:pw@host/x.git", "main"));
        assertThat(e.kind()).isEqualTo(GitException.Kind.INVALID_URL);
        assertThat(e.getMessage()).doesNotContain("pw");
        assertThat(mirrorsRoot).doesNotExist();
    }

    @Test
    void invalidMirrorKeyIsRefused() {
        for (String key : new String[] {"../x", "Project-1", "", "a/b", "a.b", null}) {
            assertThatThrownBy(() -> mirrors.fetchBranch(key, url, "main")).as(String.valueOf(key))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> mirrors.deleteMirror(key)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void changedUrlRepointsTheMirror() throws Exception {
        TestRepos.commit(source, "from the first", Map.of("a.txt", "a"));
        mirrors.fetchBranch("project-1", url, "main");
        try (Git moved = TestRepos.init(temp.resolve("moved"))) {
            RevCommit other = TestRepos.commit(moved, "from the second", Map.of("b.txt", "b"));

            CommitInfo info = mirrors.fetchBranch("project-1", TestRepos.url(moved), "main");

            assertThat(info.sha()).isEqualTo(other.name());
            try (Repository repo = openBare(mirrorsRoot.resolve("project-1.git"))) {
                assertThat(repo.getConfig().getString("remote", "origin", "url")).isEqualTo(TestRepos.url(moved));
            }
        }
    }

    @Test
    void forcePushedBranchIsFollowed() throws Exception {
        TestRepos.commit(source, "one", Map.of("a.txt", "1"));
        RevCommit two = TestRepos.commit(source, "two", Map.of("a.txt", "2"));
        mirrors.fetchBranch("project-1", url, "main");
        source.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef("HEAD~1").call();
        RevCommit rewritten = TestRepos.commit(source, "two, rewritten", Map.of("a.txt", "2b"));

        assertThat(mirrors.fetchBranch("project-1", url, "main").sha()).isEqualTo(rewritten.name()).isNotEqualTo(two.name());
    }

    @Test
    void brokenLeftoverDirectoryIsReplaced() throws Exception {
        RevCommit head = TestRepos.commit(source, "first", Map.of("a.txt", "a"));
        Files.createDirectories(mirrorsRoot.resolve("project-1.git/objects"));
        Files.writeString(mirrorsRoot.resolve("project-1.git/garbage"), "half a crash");

        assertThat(mirrors.fetchBranch("project-1", url, "main").sha()).isEqualTo(head.name());
        assertThat(mirrorsRoot.resolve("project-1.git/garbage")).doesNotExist();
    }

    @Test
    void deleteMirrorRemovesItAndToleratesAbsence() throws Exception {
        TestRepos.commit(source, "first", Map.of("a.txt", "a"));
        mirrors.fetchBranch("project-1", url, "main");

        mirrors.deleteMirror("project-1");
        mirrors.deleteMirror("project-1");
        mirrors.deleteMirror("project-2");

        try (Stream<Path> left = Files.list(mirrorsRoot)) {
            assertThat(left).isEmpty();
        }
        assertThat(mirrors.fetchBranch("project-1", url, "main").message()).isEqualTo("first");
    }

    @Test
    void concurrentFetchesOfOneKeyAllSucceed() throws Exception {
        RevCommit head = TestRepos.commit(source, "first", Map.of("a.txt", "a"));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<CommitInfo>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return mirrors.fetchBranch("project-1", url, "main");
                }));
            }
            start.countDown();
            for (Future<CommitInfo> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS).sha()).isEqualTo(head.name());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void differentKeysFetchInParallel() throws Exception {
        RevCommit head = TestRepos.commit(source, "first", Map.of("a.txt", "a"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CommitInfo>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String key = "project-" + (i % 4);
                results.add(pool.submit(() -> mirrors.fetchBranch(key, url, "main")));
            }
            for (Future<CommitInfo> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS).sha()).isEqualTo(head.name());
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> dirs = Files.list(mirrorsRoot)) {
            assertThat(dirs.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("project-0.git", "project-1.git", "project-2.git", "project-3.git");
        }
    }

    @Test
    void manyFetchesAreRepackedAndKeepEveryCommit() throws Exception {
        GitMirrors compacting = new GitMirrors(mirrorsRoot, Duration.ofSeconds(2), 3);
        List<RevCommit> commits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            commits.add(TestRepos.commit(source, "commit " + i, Map.of("a.txt", "version " + i, "f" + i + ".txt", "new")));
            compacting.fetchBranch("project-1", url, "main");
        }

        assertThat(packs(mirrorsRoot.resolve("project-1.git")).size()).isLessThanOrEqualTo(4);
        for (int i = 0; i < commits.size(); i++) {
            Path out = temp.resolve("out-" + i);
            compacting.export("project-1", url, "main", commits.get(i).name(), out);
            assertThat(out.resolve("a.txt")).hasContent("version " + i);
        }
        assertThat(temp.resolve("out-0").resolve("f1.txt")).doesNotExist();
    }

    private static Repository openBare(Path dir) throws IOException {
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build();
    }

    static Set<Path> packs(Path mirror) throws IOException {
        try (Stream<Path> files = Files.list(mirror.resolve("objects/pack"))) {
            return files.filter(p -> p.toString().endsWith(".pack")).collect(Collectors.toSet());
        }
    }

    static void assertNoSecret(Throwable e, String... secrets) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            for (String secret : secrets) {
                assertThat(String.valueOf(cause.getMessage())).doesNotContain(secret);
                assertThat(cause.toString()).doesNotContain(secret);
            }
        }
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        for (String secret : secrets) {
            assertThat(trace.toString()).doesNotContain(secret);
        }
    }
}
