package dev.kiln.core.api;

import java.util.regex.Pattern;

/**
 * The forms of a project's {@code node_version} the npm builder can act on: a version
 * ({@code 20}, {@code 20.11.1}, {@code v18}, {@code 18.x}) or an npm range of them
 * ({@code ^20}, {@code ~18.2}, {@code >=18 <21}, {@code 16 - 18}, {@code ^18 || ^20}). Aliases
 * such as {@code lts/*} or {@code node} are refused: Kiln cannot resolve them to a version, and a
 * setting that is silently ignored is worse than one refused.
 */
final class NodeVersionSyntax {

    static final int MAX_LENGTH = 64;
    private static final Pattern PARTIAL = Pattern.compile("v?(?:\\d{1,9}|[xX*])(?:\\.(?:\\d{1,9}|[xX*])){0,2}");
    private static final Pattern COMPARATOR = Pattern.compile("(?:>=|<=|>|<|=|\\^|~)?" + PARTIAL.pattern());
    private static final Pattern SPACE_AFTER_OPERATOR = Pattern.compile("(>=|<=|>|<|=|\\^|~)\\s+");

    private NodeVersionSyntax() {
    }

    /**
     * Whether a text is a version or range the builder reads.
     *
     * @param text the trimmed value
     * @return true when every alternative is a hyphen range or a list of comparators
     */
    static boolean isValid(String text) {
        if (text.isEmpty() || text.length() > MAX_LENGTH) {
            return false;
        }
        for (String alternative : text.split("\\|\\|", -1)) {
            String normalised = SPACE_AFTER_OPERATOR.matcher(alternative.trim()).replaceAll("$1");
            if (normalised.isEmpty()) {
                return false;
            }
            String[] parts = normalised.split("\\s+");
            if (parts.length == 3 && parts[1].equals("-")) {
                if (!PARTIAL.matcher(parts[0]).matches() || !PARTIAL.matcher(parts[2]).matches()) {
                    return false;
                }
                continue;
            }
            for (String part : parts) {
                if (!COMPARATOR.matcher(part).matches()) {
                    return false;
                }
            }
        }
        return true;
    }
}
