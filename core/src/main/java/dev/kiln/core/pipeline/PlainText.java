package dev.kiln.core.pipeline;

import java.util.regex.Pattern;

/**
 * Tool output as a reader without a terminal wants it: no colour codes, cursor moves or window
 * titles. The stored log keeps them (the dashboard and {@code kiln logs} render colours); the
 * deployment's {@code error_message} and the API's text log do not.
 */
public final class PlainText {

    /** CSI sequences (colours, cursor moves) and OSC sequences (titles, links), as tools write them to a terminal. */
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)|\u001B[@-Z\\\\-_]");

    private PlainText() {
    }

    /**
     * Removes terminal escape sequences and other control characters but tabs and line breaks.
     *
     * @param text a line or a whole log
     * @return the plain text
     */
    public static String of(String text) {
        String stripped = ANSI.matcher(text).replaceAll("");
        StringBuilder result = new StringBuilder(stripped.length());
        for (int i = 0; i < stripped.length(); i++) {
            char c = stripped.charAt(i);
            if (c >= 0x20 || c == '\n' || c == '\t') {
                result.append(c);
            }
        }
        return result.toString();
    }
}
