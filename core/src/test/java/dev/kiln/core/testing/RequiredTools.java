package dev.kiln.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.core.pipeline.ProcessCommandRunner;

/**
 * Tests that need a command line tool skip when it is missing, except in CI (the environment
 * variable {@code CI=true}, or the system property {@code kiln.ci=true}), where a missing tool fails.
 */
public final class RequiredTools {

    private RequiredTools() {
    }

    /**
     * Skips the test (or fails it, in CI) unless every tool is on the PATH.
     *
     * @param tools program names such as {@code hugo}
     */
    public static void assumeInstalled(String... tools) {
        for (String tool : tools) {
            boolean found = ProcessCommandRunner.findOnPath(tool, System.getenv("PATH")).isPresent();
            if (!found && inCi()) {
                throw new AssertionError("`" + tool + "` is not installed, and CI must run every test: .ci/run installs it");
            }
            assumeTrue(found, "`" + tool + "` is not installed; skipping (CI installs it and runs this test)");
        }
    }

    /**
     * Whether this run is CI.
     *
     * @return true in CI
     */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || "true".equalsIgnoreCase(System.getProperty("kiln.ci"));
    }
}
