package dev.kiln.core.sites;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a request path becomes a path inside a deployment, and what can never leave it. */
class SitePathTest {

    @Test
    void plainPathsAreTakenAsSent() {
        assertThat(SitePaths.decode("/")).contains("/");
        assertThat(SitePaths.decode("/assets/app.js")).contains("/assets/app.js");
        assertThat(SitePaths.decode("/.well-known/security.txt")).contains("/.well-known/security.txt");
        assertThat(SitePaths.decode("/..a/b..")).contains("/..a/b..");
        assertThat(SitePaths.decode("/a+b")).contains("/a+b");
    }

    @Test
    void escapesAreDecodedButPlusStaysAPlus() {
        assertThat(SitePaths.decode("/%41%20b")).contains("/A b");
        assertThat(SitePaths.decode("/a%2Bb+c")).contains("/a+b+c");
    }

    @Test
    void dotSegmentsAreRefusedWhetherSentPlainOrEscaped() {
        for (String path : new String[] {"/..", "/.", "/a/../b", "/a/./b", "/a/..", "/%2e%2e/etc/passwd", "/a/%2E%2E/b", "/a/.%2e",
                "/a/%2e"}) {
            assertThat(SitePaths.decode(path)).as(path).isEmpty();
        }
    }

    @Test
    void badEscapesNulsBackslashesAndDoubleSlashesAreRefused() {
        for (String path : new String[] {"/%zz", "/a%", "/a%00b", "/a%5c..%5cb", "//evil.example/x", "a/b", ""}) {
            assertThat(SitePaths.decode(path)).as(path).isEmpty();
        }
        assertThat(SitePaths.decode(null)).isEmpty();
    }
}
