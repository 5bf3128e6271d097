package dev.kiln.plugin.npm;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;

import dev.kiln.core.testing.RequiredTools;

/** Tests that download packages: the npm registry must answer, or they skip (and fail in CI). */
final class NpmRegistry {

    private NpmRegistry() {
    }

    /**
     * Skips the calling tests unless the registry serves a tarball; in CI, fails instead.
     *
     * @param tarball a tarball the tests download
     * @param skipping what is skipped, for the message
     */
    static void assumeReachable(String tarball, String skipping) {
        String problem;
        try {
            int status = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(HttpRequest.newBuilder(URI.create(tarball))
                    .timeout(Duration.ofSeconds(20)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            problem = status == 200 ? null : "the npm registry answered " + status;
        } catch (Exception e) {
            problem = "the npm registry cannot be reached: " + e;
        }
        if (problem != null && RequiredTools.inCi()) {
            throw new AssertionError(problem + " (required in CI)");
        }
        Assumptions.assumeTrue(problem == null, problem + "; skipping " + skipping);
    }
}
