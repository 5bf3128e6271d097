package dev.kiln.core.github;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which {@code owner/repo} a repository URL answers to under {@code /api/v3/repos}. */
class RepoPathTest {

    @ParameterizedTest
    @CsvSource({
        "https://github.com/acme/site.git, acme, site",
        "https://github.com/acme/site, acme, site",
        "https://token@github.com/acme/site.git/, acme, site",
        "http://git.example:8080/groups/acme/site.git, acme, site",
        "ssh://git@github.com:22/acme/site.git, acme, site",
        "git@github.com:acme/site.git, acme, site",
        "git@github.com:/srv/acme/site, acme, site",
        "file:///tmp/junit1/git/acme/site.git/, acme, site",
        "file:///srv/My%20Org/my.site.git, My Org, my.site",
    })
    void takesTheLastTwoSegmentsWithoutDotGit(String url, String owner, String repo) {
        assertThat(RepoPath.of(url)).contains(new RepoPath(owner, repo));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://github.com/site.git", "git@github.com:site.git", "file:///site", "https://github.com/", "nonsense", ""})
    void needsTwoSegments(String url) {
        assertThat(RepoPath.of(url)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"acme, site, true", "ACME, Site, true", "acme, site.git, false", "acme, other, false", "other, site, false"})
    void matchesWithoutRegardToCase(String owner, String repo, boolean matches) {
        assertThat(new RepoPath("acme", "site").matches(owner, repo)).isEqualTo(matches);
    }
}
