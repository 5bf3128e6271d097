package dev.kiln.core.sites;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A site's {@code _headers}, in Netlify's syntax: a path pattern on a line of its own, then
 * indented {@code Name: value} lines applying to every path it matches. Every matching block
 * applies, in order. Headers that would break the server's framing are ignored.
 */
final class HeaderRules {

    static final HeaderRules NONE = new HeaderRules(List.of());
    private static final Set<String> FORBIDDEN = Set.of("content-length", "transfer-encoding", "connection", "content-encoding",
            "content-range", "keep-alive", "upgrade", "trailer", "te");
    private static final int MAX_BLOCKS = 2_000;

    /**
     * One block.
     *
     * @param pattern the paths it applies to
     * @param headers names and values, in order
     */
    record Block(PathPattern pattern, List<Map.Entry<String, String>> headers) {
    }

    private final List<Block> blocks;

    private HeaderRules(List<Block> blocks) {
        this.blocks = blocks;
    }

    static HeaderRules parse(String text) {
        List<Block> blocks = new ArrayList<>();
        PathPattern current = null;
        List<Map.Entry<String, String>> headers = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean indented = Character.isWhitespace(raw.charAt(0));
            if (!indented && line.startsWith("/")) {
                Optional<PathPattern> pattern = PathPattern.parse(line.split("\\s+")[0]);
                current = pattern.orElse(null);
                headers = new ArrayList<>();
                if (current != null && blocks.size() < MAX_BLOCKS) {
                    blocks.add(new Block(current, headers));
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (current == null || colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+") && !FORBIDDEN.contains(name.toLowerCase(Locale.ROOT))
                    && value.chars().noneMatch(c -> c < 32 && c != '\t')) {
                headers.add(Map.entry(name, value));
            }
        }
        return new HeaderRules(List.copyOf(blocks));
    }

    /**
     * The headers for a request path, in order.
     *
     * @param path the path, starting with {@code /}
     * @return names and values
     */
    List<Map.Entry<String, String>> headersFor(String path) {
        if (blocks.isEmpty()) {
            return List.of();
        }
        List<Map.Entry<String, String>> found = new ArrayList<>();
        for (Block block : blocks) {
            if (block.pattern().match(path).isPresent()) {
                found.addAll(block.headers());
            }
        }
        return found;
    }
}
