package dev.kiln.core.sites;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A site's {@code _redirects}, in the subset of Netlify's syntax Kiln supports: one rule a line,
 * {@code from to [status][!]}, with exact paths, {@code :placeholders} and a {@code *} splat
 * ({@code :splat} in the target), statuses 200 (rewrite), 301 (the default), 302 and 404, and
 * {@code !} to apply even when a file exists at the path. The first matching rule wins; lines
 * Kiln cannot apply (proxying to another host, conditions) are skipped.
 */
final class Redirects {

    static final Redirects NONE = new Redirects(List.of());
    private static final Set<Integer> STATUSES = Set.of(200, 301, 302, 404);
    private static final int MAX_RULES = 10_000;

    /**
     * One rule.
     *
     * @param from the pattern
     * @param to the target, with placeholders
     * @param status 200, 301, 302 or 404
     * @param forced whether it applies even when a file exists
     */
    record Rule(PathPattern from, String to, int status, boolean forced) {
    }

    /**
     * What a matching rule says for one request.
     *
     * @param target the target with placeholders filled in: a site path for 200 and 404, a URL or path for 301 and 302
     * @param status the status
     */
    record Match(String target, int status) {
    }

    private final List<Rule> rules;

    private Redirects(List<Rule> rules) {
        this.rules = rules;
    }

    static Redirects parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || rules.size() >= MAX_RULES) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length < 2) {
                continue;
            }
            Optional<PathPattern> from = PathPattern.parse(fields[0]);
            int status = 301;
            boolean forced = false;
            boolean usable = from.isPresent();
            for (int i = 2; i < fields.length && usable; i++) {
                String field = fields[i];
                if (field.matches("\\d{3}!?")) {
                    forced = field.endsWith("!");
                    status = Integer.parseInt(field.substring(0, 3));
                    usable = STATUSES.contains(status);
                } else {
                    // Query matches and conditions (Country=, Role=) are Netlify features Kiln does not have.
                    usable = false;
                }
            }
            String to = fields[1];
            boolean external = to.startsWith("http://") || to.startsWith("https://");
            if (!usable || (!to.startsWith("/") && !external) || (external && (status == 200 || status == 404))) {
                continue;
            }
            rules.add(new Rule(from.get(), to, status, forced));
        }
        return new Redirects(List.copyOf(rules));
    }

    /**
     * The first rule matching a path.
     *
     * @param path the request path, starting with {@code /}
     * @param forcedOnly true to consider only forced rules (a file exists at the path)
     * @return the match
     */
    Optional<Match> match(String path, boolean forcedOnly) {
        for (Rule rule : rules) {
            if (forcedOnly && !rule.forced()) {
                continue;
            }
            Optional<Map<String, String>> values = rule.from().match(path);
            if (values.isPresent()) {
                return Optional.of(new Match(fill(rule.to(), values.get()), rule.status()));
            }
        }
        return Optional.empty();
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    private static String fill(String target, Map<String, String> values) {
        StringBuilder filled = new StringBuilder();
        int i = 0;
        while (i < target.length()) {
            char c = target.charAt(i);
            if (c == ':' && i + 1 < target.length() && Character.isLetter(target.charAt(i + 1)) && i > 0 && target.charAt(i - 1) == '/') {
                int end = i + 1;
                while (end < target.length() && (Character.isLetterOrDigit(target.charAt(end)) || target.charAt(end) == '_')) {
                    end++;
                }
                String name = target.substring(i + 1, end);
                filled.append(values.getOrDefault(name, ":" + name));
                i = end;
            } else {
                filled.append(c);
                i++;
            }
        }
        return filled.toString();
    }
}
