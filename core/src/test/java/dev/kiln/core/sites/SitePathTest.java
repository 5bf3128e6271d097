package dev.kiln.core.sites;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a request path becomes a path inside a deployment, and what can never leave it. */
class SitePathTest {

    @Test
    void plainPathsAreTakenAsSent() {
        assertThat(SiteHandler.decode("/")).contains("/");
        assertThat(SiteHandler.decode("/assets/app.js")).contains("/assets/app.js");
        assertThat(SiteHandler.decode("/.well-known/security.txt")).contains("/.well-known/security.txt");
        assertThat(SiteHandler.decode("/..a/b..")).contains("/..a/b..");
        assertThat(SiteHandler.decode("/a+b")).contains("/a+b");
    }

    @Test
    void escapesAreDecodedButPlusStaysAPlus() {
        assertThat(SiteHandler.decode("/%41%20b")).contains("/A b");
        assertThat(SiteHandler.decode("/a%2Bb+c")).contains("/a+b+c");
    }

    @Test
    void dotSegmentsAreRefusedWhetherSentPlainOrEscaped() {
        for (String path : new String[] {"/..", "/.", "/a/../b", "/a/./b", "/a/..", "/%2e%2e/etc/passwd", "/a/%2E%2E/b", "/a/.%2e",
                "/a/%2e"}) {
            assertThat(SiteHandler.decode(path)).as(path).isEmpty();
        }
    }

    @Test
    void badEscapesNulsBackslashesAndDoubleSlashesAreRefused() {
        for (String path : new String[] {"/%zz", "/a%", "/a%00b", "/a%5c..%5cb", "//evil.example/x", "a/b", ""}) {
            assertThat(SiteHandler.decode(path)).as(path).isEmpty();
        }
        assertThat(SiteHandler.decode(null)).isEmpty();
    }
}
