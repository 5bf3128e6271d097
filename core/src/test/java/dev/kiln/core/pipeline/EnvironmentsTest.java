package dev.kiln.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Branch globs for preview_branches, and branch names in URLs. */
class EnvironmentsTest {

    @Test
    void aSingleStarStaysInOnePathSegmentAndTwoCrossThem() {
        assertThat(Environments.glob("feature/*").matcher("feature/login").matches()).isTrue();
        assertThat(Environments.glob("feature/*").matcher("feature/a/b").matches()).isFalse();
        assertThat(Environments.glob("feature/**").matcher("feature/a/b").matches()).isTrue();
        assertThat(Environments.glob("release-?").matcher("release-1").matches()).isTrue();
        assertThat(Environments.glob("docs").matcher("docs-old").matches()).isFalse();
        assertThat(Environments.glob("a.b").matcher("axb").matches()).as("a dot is a dot").isFalse();
    }

    @Test
    void branchSlugsAreLowerCaseDashedAndNeverAllDigits() {
        assertThat(Environments.branchSlug("Feature/Login_Page")).isEqualTo("feature-login-page");
        assertThat(Environments.branchSlug("--x--")).isEqualTo("x");
        assertThat(Environments.branchSlug("1234")).isEqualTo("b-1234");
    }
}
