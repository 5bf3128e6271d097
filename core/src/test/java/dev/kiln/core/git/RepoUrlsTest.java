package dev.kiln.core.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepoUrlsTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "https://github.com/kiln/site.git",
        "https://github.com/kiln/site",
        "HTTPS://GitHub.com/kiln/site.git",
        "http://127.0.0.1:8080/x.git",
        "https://x-access-token:ghs_abc@github.com/kiln/site.git",
        "https://ghp_token@github.com/kiln/site.git",
        "https://user:p%40ss@git.example.com:8443/group/sub/site.git",
        "https://[::1]:3000/x.git",
        "ssh://git@github.com/kiln/site.git",
        "ssh://git@gitlab.example.com:2222/kiln/site.git",
        "git@github.com:kiln/site.git",
        "deploy-bot@git.example.com:/srv/git/site.git",
        "file:///srv/git/site.git",
        "file:///tmp/source/",
    })
    void accepts(String url) {
        assertThat(RepoUrlRules.validateUrl(url)).as(url).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                  | the repository URL is empty",
        "'   '                               | the repository URL is empty",
        "ftp://host/x.git                    | scheme 'ftp' is not supported",
        "git://github.com/kiln/site.git      | scheme 'git' is not supported",
        "https://github.com/kiln/site .git   | must not contain spaces",
        "https://github.com                  | must include the repository's path",
        "https://github.com/                 | must include the repository's path",
        "https:///kiln/site.git              | no valid host name",
        "https://-oProxyCommand=x/site.git   | no valid host name",
        "https://host:99999/x.git            | port must be between 1 and 65535",
        "https://host/x.git#main             | must not contain a fragment",
        "https://host/x.git?ref=main         | must not contain a query",
        "https://host/x%zz.git               | is not a valid URL",
        "file://server/share/x.git           | must not name a host",
        "file:///                            | must name the repository's directory",
        "/srv/git/site.git                   | is not one Kiln accepts",
        "github.com:kiln/site.git            | is not one Kiln accepts",
        "C:\\repos\\site                     | is not one Kiln accepts",
        "-u@host:path                        | must not start with '-'",
        "git@-host:path                      | must not start with '-'",
        "git@host:                           | is not one Kiln accepts",
        "site                                | is not one Kiln accepts",
        "h ttps://host/x.git                 | must not contain spaces",
        "1https://host/x.git                 | unsupported scheme",
    })
    void rejects(String url, String problem) {
        assertThat(RepoUrlRules.validateUrl(url)).as(url).hasValueSatisfying(message -> assertThat(message).contains(problem));
    }

    @Test
    void rejectsNullAndHugeAndControlCharacters() {
        assertThat(RepoUrlRules.validateUrl(null)).contains("the repository URL is empty");
        assertThat(RepoUrlRules.validateUrl("https://host/" + "a".repeat(3000))).hasValueSatisfying(m -> assertThat(m).contains("longer than"));
        assertThat(RepoUrlRules.validateUrl("https://host/x\n.git")).hasValueSatisfying(m -> assertThat(m).contains("control characters"));
    }

    @Test
    void rejectionsNeverRepeatCredentials() {
        for (String url : new String[] {"ftp://alice:s3cret@host/x.git", "https://alice:s3cret@/x.git", "https://alice:s3cret@host",
            "https://alice:s3cr%zzet@host/x.git", "https://alice:s3cret@host/x.git#frag", "https://alice:s3c ret@host/x.git"}) {
            assertThat(RepoUrlRules.validateUrl(url)).as(url).hasValueSatisfying(m -> assertThat(m).doesNotContain("s3c").doesNotContain("alice"));
        }
    }

    @Test
    void httpCredentialsAreSplitOffTheStoredUrl() {
        RepoUrls.Remote remote = RepoUrls.parse("https://x-access-token:ghs_a%2Bb+c@github.com:443/kiln/site.git");
        assertThat(remote.url()).isEqualTo("https://github.com:443/kiln/site.git");
        assertThat(remote.display()).isEqualTo(remote.url());
        assertThat(remote.user()).isEqualTo("x-access-token");
        assertThat(remote.password()).isEqualTo("ghs_a+b+c");
        assertThat(remote.hasCredentials()).isTrue();
        assertThat(remote.ssh()).isFalse();
        assertThat(remote.toString()).doesNotContain("ghs");
    }

    @Test
    void tokenAsUserNameGoesWithAnEmptyPassword() {
        RepoUrls.Remote remote = RepoUrls.parse("https://ghp_abc@github.com/kiln/site.git");
        assertThat(remote.url()).isEqualTo("https://github.com/kiln/site.git");
        assertThat(remote.user()).isEqualTo("ghp_abc");
        assertThat(remote.password()).isEmpty();
    }

    @Test
    void sshKeepsTheLoginNameButNotThePassword() {
        RepoUrls.Remote remote = RepoUrls.parse("ssh://git:hunter22@host:2222/x.git");
        assertThat(remote.url()).isEqualTo("ssh://git@host:2222/x.git");
        assertThat(remote.display()).isEqualTo("ssh://host:2222/x.git");
        assertThat(remote.ssh()).isTrue();
        assertThat(RepoUrls.parse("git@github.com:kiln/site.git").ssh()).isTrue();
        assertThat(RepoUrls.parse("file:///srv/x.git").ssh()).isFalse();
        assertThat(RepoUrls.parse("file:///srv/x.git").hasCredentials()).isFalse();
    }

    @Test
    void scrubRemovesUserInfoFromEveryUrlInAText() {
        assertThat(RepoUrls.scrub("https://a:b@h/x.git: not authorized; see http://tok@h2:80/y and ssh://git@h3/z"))
                .isEqualTo("https://h/x.git: not authorized; see http://h2:80/y and ssh://h3/z");
        assertThat(RepoUrls.scrub("https://user:p@ss@host/x.git")).isEqualTo("https://host/x.git");
        assertThat(RepoUrls.scrub(null)).isEmpty();
    }

    @Test
    void causeChainsHoldingCredentialsAreCopiedWithoutThem() {
        RepoUrls.Remote remote = RepoUrls.parse("https://alice:s3cret-t0ken@host/x.git");
        Exception inner = new java.io.IOException("GET https://alice:s3cret-t0ken@host/x.git/info/refs failed; token s3cret-t0ken");
        Exception outer = new IllegalStateException("wrapper", inner);

        Throwable safe = Redacted.chain(outer, remote);

        assertThat(safe.getMessage()).isEqualTo("java.lang.IllegalStateException: wrapper");
        assertThat(safe.getCause().getMessage()).isEqualTo("java.io.IOException: GET https://host/x.git/info/refs failed; token ***");
        assertThat(safe.getStackTrace()).isEqualTo(outer.getStackTrace());
        Exception clean = new IllegalStateException("nothing secret", new java.io.IOException("nor here"));
        assertThat(Redacted.chain(clean, remote)).isSameAs(clean);
    }
}
