package dev.kiln.plugin.npm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The common forms of an npm version range ({@code engines.node}), enough to warn when the
 * node on a build node does not fit: {@code 18}, {@code 18.x}, {@code ^18.2}, {@code ~18.2.1},
 * {@code >=18 <21}, {@code 16 - 18}, {@code ^18 || ^20}, {@code *}. It only warns, so prerelease
 * rules and the special cases of 0.x versions are left out rather than pulling in a semver library.
 */
final class NodeVersionRange {

    private static final Pattern COMPARATOR = Pattern.compile("(>=|<=|>|<|=|\\^|~)?v?(\\d{1,9}|[xX*])(?:\\.(\\d{1,9}|[xX*]))?(?:\\.(\\d{1,9}|[xX*]))?");
    private static final Pattern SPACE_AFTER_OPERATOR = Pattern.compile("(>=|<=|>|<|=|\\^|~)\\s+");

    /** Alternatives joined by {@code ||}; each is a list of bounds that must all hold. */
    private final List<List<Bound>> alternatives;
    private final String text;

    private NodeVersionRange(String text, List<List<Bound>> alternatives) {
        this.text = text;
        this.alternatives = alternatives;
    }

    /**
     * Parses a range.
     *
     * @param range the text of {@code engines.node}
     * @return the range; empty when it uses a form this class does not know
     */
    static Optional<NodeVersionRange> parse(String range) {
        List<List<Bound>> alternatives = new ArrayList<>();
        for (String alternative : range.trim().split("\\|\\|", -1)) {
            String normalised = SPACE_AFTER_OPERATOR.matcher(alternative.trim()).replaceAll("$1");
            List<Bound> bounds = new ArrayList<>();
            String[] parts = normalised.isEmpty() ? new String[0] : normalised.split("\\s+");
            if (parts.length == 3 && parts[1].equals("-")) {
                Optional<Partial> low = Partial.parse(parts[0]);
                Optional<Partial> high = Partial.parse(parts[2]);
                if (low.isEmpty() || high.isEmpty()) {
                    return Optional.empty();
                }
                low.get().atLeast().ifPresent(bounds::add);
                high.get().atMost().ifPresent(bounds::add);
            } else {
                for (String part : parts) {
                    Matcher matcher = COMPARATOR.matcher(part);
                    if (!matcher.matches()) {
                        return Optional.empty();
                    }
                    Partial version = Partial.of(matcher.group(2), matcher.group(3), matcher.group(4));
                    String operator = matcher.group(1) == null ? "=" : matcher.group(1);
                    bounds.addAll(version.bounds(operator));
                }
            }
            alternatives.add(bounds);
        }
        return Optional.of(new NodeVersionRange(range.trim(), alternatives));
    }

    /**
     * Whether a version is in the range.
     *
     * @param version the version
     * @return true when one of the alternatives holds
     */
    boolean includes(NodeVersion version) {
        return alternatives.stream().anyMatch(bounds -> bounds.stream().allMatch(bound -> bound.holds(version)));
    }

    @Override
    public String toString() {
        return text;
    }

    /** {@code version >= limit} when {@code inclusiveLow}, else {@code version < limit}. */
    private record Bound(boolean inclusiveLow, NodeVersion limit) {
        boolean holds(NodeVersion version) {
            int comparison = version.compareTo(limit);
            return inclusiveLow ? comparison >= 0 : comparison < 0;
        }
    }

    /**
     * A version with 0 to 3 numbers given; the rest are wildcards.
     *
     * @param numbers the given numbers, major first
     */
    private record Partial(List<Integer> numbers) {

        static Optional<Partial> parse(String text) {
            Matcher matcher = COMPARATOR.matcher(text);
            if (!matcher.matches() || matcher.group(1) != null) {
                return Optional.empty();
            }
            return Optional.of(of(matcher.group(2), matcher.group(3), matcher.group(4)));
        }

        static Partial of(String... parts) {
            List<Integer> numbers = new ArrayList<>();
            for (String part : parts) {
                if (part == null || !Character.isDigit(part.charAt(0))) {
                    break;
                }
                numbers.add(Integer.parseInt(part));
            }
            return new Partial(numbers);
        }

        private NodeVersion floor() {
            return new NodeVersion(number(0), number(1), number(2));
        }

        private int number(int index) {
            return index < numbers.size() ? numbers.get(index) : 0;
        }

        /** The first version after every version this partial one stands for: 18.2 gives 18.3.0. */
        private NodeVersion ceiling() {
            return switch (numbers.size()) {
                case 1 -> new NodeVersion(number(0) + 1, 0, 0);
                case 2 -> new NodeVersion(number(0), number(1) + 1, 0);
                default -> new NodeVersion(number(0), number(1), number(2) + 1);
            };
        }

        Optional<Bound> atLeast() {
            return numbers.isEmpty() ? Optional.empty() : Optional.of(new Bound(true, floor()));
        }

        Optional<Bound> atMost() {
            return numbers.isEmpty() ? Optional.empty() : Optional.of(new Bound(false, ceiling()));
        }

        List<Bound> bounds(String operator) {
            if (numbers.isEmpty()) {
                // *, x: any version; "<*" would match nothing, which no one means.
                return List.of();
            }
            return switch (operator) {
                case ">=" -> List.of(new Bound(true, floor()));
                case ">" -> List.of(new Bound(true, ceiling()));
                case "<" -> List.of(new Bound(false, floor()));
                case "<=" -> List.of(new Bound(false, ceiling()));
                case "^" -> List.of(new Bound(true, floor()), new Bound(false, new NodeVersion(number(0) + 1, 0, 0)));
                case "~" -> List.of(new Bound(true, floor()), new Bound(false, numbers.size() == 1
                        ? new NodeVersion(number(0) + 1, 0, 0)
                        : new NodeVersion(number(0), number(1) + 1, 0)));
                default -> List.of(new Bound(true, floor()), new Bound(false, ceiling()));
            };
        }
    }

    /**
     * A node version.
     *
     * @param major the major version
     * @param minor the minor version
     * @param patch the patch version
     */
    record NodeVersion(int major, int minor, int patch) implements Comparable<NodeVersion> {

        private static final Pattern VERSION = Pattern.compile("v?(\\d{1,9})(?:\\.(\\d{1,9}))?(?:\\.(\\d{1,9}))?(?:[-+].*)?");

        /**
         * Parses {@code node --version} output or an {@code .nvmrc} line.
         *
         * @param text for example {@code v20.11.1} or {@code 18}
         * @return the version; empty for aliases such as {@code lts/iron} or {@code node}
         */
        static Optional<NodeVersion> parse(String text) {
            Matcher matcher = VERSION.matcher(text.trim());
            if (!matcher.matches()) {
                return Optional.empty();
            }
            return Optional.of(new NodeVersion(Integer.parseInt(matcher.group(1)),
                    matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2)),
                    matcher.group(3) == null ? 0 : Integer.parseInt(matcher.group(3))));
        }

        @Override
        public int compareTo(NodeVersion other) {
            if (major != other.major) {
                return Integer.compare(major, other.major);
            }
            if (minor != other.minor) {
                return Integer.compare(minor, other.minor);
            }
            return Integer.compare(patch, other.patch);
        }

        @Override
        public String toString() {
            return "v" + major + "." + minor + "." + patch;
        }
    }
}
