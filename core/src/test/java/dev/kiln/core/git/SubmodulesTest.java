package dev.kiln.core.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.git.TestRepos.Entry;

/** Submodules checked out through their own mirrors, recursively, at the commits the superproject records. */
class SubmodulesTest {

    @TempDir
    Path temp;

    GitMirrors mirrors;
    Git site;
    Git theme;
    Git icons;
    Path out;

    @BeforeEach
    void setUp() throws Exception {
        mirrors = new GitMirrors(temp.resolve("mirrors"), Duration.ofSeconds(5));
        site = TestRepos.init(temp.resolve("site"));
        theme = TestRepos.init(temp.resolve("theme"));
        icons = TestRepos.init(temp.resolve("icons"));
        out = temp.resolve("workspaces/1/src");
    }

    @AfterEach
    void tearDown() {
        site.close();
        theme.close();
        icons.close();
    }

    private static String gitmodules(String path, String url) {
        return "[submodule \"" + path + "\"]\n\tpath = " + path + "\n\turl = " + url + "\n";
    }

    @Test
    void submodulesAreCheckedOutRecursivelyAtTheRecordedCommits() throws Exception {
        RevCommit iconsCommit = TestRepos.commit(icons, "icons", Map.of("star.svg", "<svg/>"));
        Map<String, Entry> themeTree = new LinkedHashMap<>();
        themeTree.put("layouts/index.html", Entry.file("recorded layout"));
        // A relative URL, resolved against the theme's own URL as git does.
        themeTree.put(".gitmodules", Entry.file(gitmodules("assets/icons", "../icons")));
        themeTree.put("assets/icons", Entry.submodule(iconsCommit.name()));
        RevCommit recorded = TestRepos.commitTree(theme.getRepository(), "main", "theme", themeTree);
        // The theme moved on after the site recorded it: the site still gets what it recorded.
        TestRepos.commit(theme, "newer", Map.of("layouts/index.html", "newer layout"));
        Map<String, Entry> siteTree = new LinkedHashMap<>();
        siteTree.put("hugo.toml", Entry.file("theme = 'paper'"));
        siteTree.put(".gitmodules", Entry.file(gitmodules("themes/paper", TestRepos.url(theme))));
        siteTree.put("themes/paper", Entry.submodule(recorded.name()));
        RevCommit commit = TestRepos.commitTree(site.getRepository(), "main", "site", siteTree);

        ExportResult result = mirrors.export("project-1", TestRepos.url(site), "main", commit.name(), out, true);

        assertThat(out.resolve("hugo.toml")).hasContent("theme = 'paper'");
        assertThat(out.resolve("themes/paper/layouts/index.html")).hasContent("recorded layout");
        assertThat(out.resolve("themes/paper/assets/icons/star.svg")).hasContent("<svg/>");
        assertThat(out.resolve("themes/paper/.git")).doesNotExist();
        assertThat(result.warnings()).isEmpty();
        assertThat(result.files()).isEqualTo(5);
        assertThat(result.submodules()).containsExactly(
                "submodule 'themes/paper' at " + recorded.name() + " from " + TestRepos.url(theme),
                "submodule 'themes/paper/assets/icons' at " + iconsCommit.name() + " from " + temp.resolve("icons").toUri().toString()
                        .replaceAll("/$", ""));
        // Each submodule repository has a mirror of its own, named after the project, deleted with it.
        try (var names = Files.list(temp.resolve("mirrors"))) {
            assertThat(names.map(path -> path.getFileName().toString()))
                    .hasSize(3).allMatch(name -> name.equals("project-1.git") || name.startsWith("project-1-sub-"));
        }
        mirrors.deleteMirror("project-1");
        try (var names = Files.list(temp.resolve("mirrors"))) {
            assertThat(names).isEmpty();
        }
    }

    @Test
    void aSubmoduleThatCannotBeFetchedFailsNamingIt() throws Exception {
        Map<String, Entry> siteTree = new LinkedHashMap<>();
        siteTree.put(".gitmodules", Entry.file(gitmodules("themes/gone", temp.resolve("nowhere").toUri().toString())));
        siteTree.put("themes/gone", Entry.submodule("0123456789012345678901234567890123456789"));
        RevCommit commit = TestRepos.commitTree(site.getRepository(), "main", "site", siteTree);

        GitException failure = catchThrowableOfType(
                () -> mirrors.export("project-1", TestRepos.url(site), "main", commit.name(), out, true), GitException.class);

        assertThat(failure.getMessage()).startsWith("submodule 'themes/gone' could not be checked out: could not reach ");
    }

    @Test
    void aRecordedCommitTheSubmoduleDoesNotHaveFailsNamingIt() throws Exception {
        TestRepos.commit(theme, "theme", Map.of("a.txt", "a"));
        Map<String, Entry> siteTree = new LinkedHashMap<>();
        siteTree.put(".gitmodules", Entry.file(gitmodules("themes/paper", TestRepos.url(theme))));
        siteTree.put("themes/paper", Entry.submodule("0123456789012345678901234567890123456789"));
        RevCommit commit = TestRepos.commitTree(site.getRepository(), "main", "site", siteTree);

        GitException failure = catchThrowableOfType(
                () -> mirrors.export("project-1", TestRepos.url(site), "main", commit.name(), out, true), GitException.class);

        assertThat(failure.getMessage()).isEqualTo("submodule 'themes/paper' could not be checked out: commit "
                + "0123456789012345678901234567890123456789 is on no branch or tag of " + TestRepos.url(theme));
    }

    @Test
    void aSubmodulePathCannotLeaveTheCheckoutNorUseAnUnacceptedUrl() throws Exception {
        RevCommit themeCommit = TestRepos.commit(theme, "theme", Map.of("a.txt", "a"));
        Map<String, Entry> siteTree = new LinkedHashMap<>();
        siteTree.put(".gitmodules", Entry.file(gitmodules("vendor", "ext::sh -c touch% /tmp/pwned")));
        siteTree.put("vendor", Entry.submodule(themeCommit.name()));
        RevCommit commit = TestRepos.commitTree(site.getRepository(), "main", "site", siteTree);

        GitException failure = catchThrowableOfType(
                () -> mirrors.export("project-1", TestRepos.url(site), "main", commit.name(), out, true), GitException.class);

        assertThat(failure.getMessage()).startsWith("submodule 'vendor' could not be checked out: its URL in .gitmodules is not accepted");
    }
}
