package dev.kiln.core.sites;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path pattern of Netlify's {@code _redirects} and {@code _headers}: literal segments,
 * {@code :name} placeholders (one segment each) and a trailing {@code *} splat (the rest, maybe
 * nothing). A trailing slash does not matter.
 */
final class PathPattern {

    private final List<String> segments;
    private final boolean splat;

    private PathPattern(List<String> segments, boolean splat) {
        this.segments = segments;
        this.splat = splat;
    }

    /**
     * Reads a pattern.
     *
     * @param pattern starting with {@code /}
     * @return the pattern, or empty when it does not start with {@code /}
     */
    static Optional<PathPattern> parse(String pattern) {
        if (!pattern.startsWith("/")) {
            return Optional.empty();
        }
        List<String> segments = new java.util.ArrayList<>(List.of(trim(pattern).split("/", -1)));
        segments.remove(0);
        if (segments.size() == 1 && segments.get(0).isEmpty()) {
            segments.clear();
        }
        boolean splat = !segments.isEmpty() && segments.get(segments.size() - 1).equals("*");
        if (splat) {
            segments.remove(segments.size() - 1);
        }
        return Optional.of(new PathPattern(List.copyOf(segments), splat));
    }

    /**
     * Matches a request path.
     *
     * @param path the decoded path, starting with {@code /}
     * @return the placeholders' values ({@code splat} for the splat), or empty when it does not match
     */
    Optional<Map<String, String>> match(String path) {
        String[] parts = trim(path).split("/", -1);
        int count = parts.length - 1;
        if (count == 1 && parts[1].isEmpty()) {
            count = 0;
        }
        if (count < segments.size() || (!splat && count != segments.size())) {
            return Optional.empty();
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            String part = parts[i + 1];
            if (segment.startsWith(":") && segment.length() > 1) {
                if (part.isEmpty()) {
                    return Optional.empty();
                }
                values.put(segment.substring(1), part);
            } else if (!segment.equals(part)) {
                return Optional.empty();
            }
        }
        if (splat) {
            StringBuilder rest = new StringBuilder();
            for (int i = segments.size() + 1; i < parts.length; i++) {
                if (!rest.isEmpty()) {
                    rest.append('/');
                }
                rest.append(parts[i]);
            }
            values.put("splat", rest.toString());
        }
        return Optional.of(values);
    }

    private static String trim(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
