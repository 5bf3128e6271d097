package dev.kiln.core.sites;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Request paths as paths inside a deployment: decoded, and never able to leave it. */
final class SitePaths {

    private SitePaths() {
    }

    /**
     * Decodes a request path into a site path, refusing anything that could leave the deployment.
     *
     * @param rawPath the path as sent, starting with {@code /}
     * @return the decoded path, starting with {@code /}
     */
    static Optional<String> decode(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return Optional.empty();
        }
        String path = rawPath;
        if (rawPath.indexOf('%') >= 0) {
            try {
                path = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (path.indexOf('\0') >= 0 || path.contains("\\") || path.startsWith("//")) {
            return Optional.empty();
        }
        return hasDotSegment(path) ? Optional.empty() : Optional.of(path);
    }

    /** Whether a path has a {@code .} or {@code ..} segment. */
    private static boolean hasDotSegment(String path) {
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            int length = end - start;
            if ((length == 1 || length == 2) && path.charAt(start) == '.' && (length == 1 || path.charAt(start + 1) == '.')) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
