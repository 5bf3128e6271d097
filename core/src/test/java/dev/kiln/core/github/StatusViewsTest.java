package dev.kiln.core.github;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Logins, node ids and URL segments as GitHub writes them. */
class StatusViewsTest {

    @Test
    void loginsAreGithubLoginsMadeFromTokenNames() {
        assertThat(StatusViews.login("admin", 1)).isEqualTo("admin");
        assertThat(StatusViews.login("CI deployer #1", 2)).isEqualTo("CI-deployer-1");
        assertThat(StatusViews.login("  --déploiement--  ", 3)).isEqualTo("d-ploiement");
        assertThat(StatusViews.login("日本", 4)).isEqualTo("token-4");
        assertThat(StatusViews.login("a".repeat(38) + " b", 5)).isEqualTo("a".repeat(38));
    }

    @Test
    void nodeIdsUseGithubsLegacyFormat() {
        assertThat(StatusViews.nodeId("DeploymentStatus", 1)).isEqualTo("MDE2OkRlcGxveW1lbnRTdGF0dXMx");
        assertThat(StatusViews.nodeId("User", 1)).isEqualTo("MDQ6VXNlcjE=");
    }

    @Test
    void pathSegmentsArePercentEncoded() {
        assertThat(StatusViews.pathSegment("kiln[bot]")).isEqualTo("kiln%5Bbot%5D");
        assertThat(StatusViews.pathSegment("My Org/é")).isEqualTo("My%20Org%2F%C3%A9");
        assertThat(StatusViews.pathSegment("a-b.c_d~e")).isEqualTo("a-b.c_d~e");
    }
}
