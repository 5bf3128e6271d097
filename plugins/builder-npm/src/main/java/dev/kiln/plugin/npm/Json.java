package dev.kiln.plugin.npm;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for {@code package.json} and {@code angular.json}. The plugin reads a few
 * fields of two small files; a reader of its own keeps it free of a JSON library that would
 * have to be shaded into the plugin jar next to the host's.
 *
 * <p>Objects become {@link Map}s (in file order), arrays {@link List}s, numbers {@link BigDecimal}s,
 * and {@code null} becomes Java's {@code null}.
 */
final class Json {

    // Deeper nesting than this is not a real package.json; the limit keeps a hostile one from
    // overflowing the stack of a build thread.
    private static final int MAX_DEPTH = 256;

    private final String text;
    private int position;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON document.
     *
     * @param text the document
     * @return the value
     * @throws IllegalArgumentException naming the line and column of the first error
     */
    static Object parse(String text) {
        Json reader = new Json(text);
        // A byte order mark is not JSON, but editors on Windows write one.
        if (text.startsWith("\uFEFF")) {
            reader.position = 1;
        }
        Object value = reader.value(0);
        reader.skipWhitespace();
        if (reader.position < text.length()) {
            throw reader.error("unexpected text after the end of the document");
        }
        return value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels deep");
        }
        skipWhitespace();
        if (position >= text.length()) {
            throw error("unexpected end of the document");
        }
        char next = text.charAt(position);
        return switch (next) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (next == '-' || (next >= '0' && next <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + next + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> members = new LinkedHashMap<>();
        position++;
        skipWhitespace();
        if (peek('}')) {
            position++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (!peek('"')) {
                throw error("expected a member name in double quotes");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            members.put(name, value(depth + 1));
            skipWhitespace();
            if (peek(',')) {
                position++;
            } else {
                expect('}');
                return members;
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> elements = new ArrayList<>();
        position++;
        skipWhitespace();
        if (peek(']')) {
            position++;
            return elements;
        }
        while (true) {
            elements.add(value(depth + 1));
            skipWhitespace();
            if (peek(',')) {
                position++;
            } else {
                expect(']');
                return elements;
            }
        }
    }

    private String string() {
        position++;
        StringBuilder result = new StringBuilder();
        while (position < text.length()) {
            char next = text.charAt(position++);
            if (next == '"') {
                return result.toString();
            }
            if (next < 0x20) {
                position--;
                throw error("control character in a string");
            }
            if (next != '\\') {
                result.append(next);
                continue;
            }
            if (position >= text.length()) {
                break;
            }
            char escaped = text.charAt(position++);
            switch (escaped) {
                case '"', '\\', '/' -> result.append(escaped);
                case 'b' -> result.append('\b');
                case 'f' -> result.append('\f');
                case 'n' -> result.append('\n');
                case 'r' -> result.append('\r');
                case 't' -> result.append('\t');
                case 'u' -> {
                    if (position + 4 > text.length()) {
                        throw error("incomplete \\u escape");
                    }
                    try {
                        result.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
                    } catch (NumberFormatException e) {
                        throw error("bad \\u escape");
                    }
                    position += 4;
                }
                default -> {
                    position--;
                    throw error("bad escape '\\" + escaped + "'");
                }
            }
        }
        throw error("unterminated string");
    }

    private BigDecimal number() {
        int start = position;
        while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0) {
            position++;
        }
        String number = text.substring(start, position);
        try {
            return new BigDecimal(number);
        } catch (NumberFormatException e) {
            position = start;
            throw error("bad number '" + number + "'");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, position)) {
            throw error("unexpected word");
        }
        position += word.length();
        return value;
    }

    private void expect(char wanted) {
        if (!peek(wanted)) {
            throw error(position < text.length() ? "expected '" + wanted + "'" : "unexpected end of the document");
        }
        position++;
    }

    private boolean peek(char wanted) {
        return position < text.length() && text.charAt(position) == wanted;
    }

    private void skipWhitespace() {
        while (position < text.length() && " \t\r\n".indexOf(text.charAt(position)) >= 0) {
            position++;
        }
    }

    private IllegalArgumentException error(String problem) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(position, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new IllegalArgumentException(problem + " at line " + line + ", column " + column);
    }
}
