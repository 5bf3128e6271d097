package dev.kiln.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a failed build into the deployment's {@code error_message}: plain text without terminal
 * colour codes, with the first lines the tool marked as errors ahead of the tail of its output.
 * Tools print their cause first and usage text or stack traces last (a failed {@code npm ci}
 * ends with npm's help), so the tail alone often misses the cause.
 */
final class ErrorSummary {

    /** Lines a tool writes about a failure: npm's {@code ERR!}, {@code npm error}, Maven's {@code [ERROR]}, hugo's {@code ERROR}. */
    private static final Pattern ERROR_LINE = Pattern.compile("\\berror\\b|ERR!|\\bFATAL\\b|\\bfailed\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern BARE_MARKER = Pattern.compile("\\s*(?:npm )?(?:error|ERR!)\\s*", Pattern.CASE_INSENSITIVE);
    private static final String LAST_LINES = "; last lines:";
    static final int MAX_ERROR_LINES = 10;
    static final int MAX_LENGTH = 4000;

    private ErrorSummary() {
    }

    /**
     * Removes terminal escape sequences and other control characters but tabs and line breaks.
     *
     * @param text a line or message
     * @return the plain text
     */
    static String plain(String text) {
        return PlainText.of(text);
    }

    /**
     * Whether a line of tool output reports an error.
     *
     * @param line one line, plain or not
     * @return true when it matches {@code error}, {@code ERR!}, {@code FATAL} or {@code failed}
     */
    static boolean isErrorLine(String line) {
        String plainLine = plain(line);
        // npm separates paragraphs with a bare "npm error": a marker with nothing to say.
        return ERROR_LINE.matcher(plainLine).find() && !BARE_MARKER.matcher(plainLine).matches();
    }

    /**
     * The error message of a failed deployment.
     *
     * @param message the failure's own message (for a failed command: the command, its exit code and its last lines)
     * @param errorLines the first error lines the failed command printed, possibly with escape codes
     * @return plain text: the message's first line, then the error lines not already in it, then the rest of the message
     */
    static String of(String message, List<String> errorLines) {
        String plainMessage = plain(message == null ? "" : message).strip();
        int lineBreak = plainMessage.indexOf('\n');
        String head = lineBreak < 0 ? plainMessage : plainMessage.substring(0, lineBreak);
        String rest = lineBreak < 0 ? "" : plainMessage.substring(lineBreak + 1);
        // CommandRunner.runChecked's form: the label moves down to the tail it names.
        boolean labelledTail = head.endsWith(LAST_LINES);
        if (labelledTail) {
            head = head.substring(0, head.length() - LAST_LINES.length());
        }
        // The tail in the message is the last lines; an error line among them is printed there already.
        String tail = rest.toLowerCase(Locale.ROOT);
        List<String> causes = new ArrayList<>();
        for (String line : errorLines) {
            String plainLine = plain(line).strip();
            if (!plainLine.isEmpty() && !causes.contains(plainLine) && !tail.contains(plainLine.toLowerCase(Locale.ROOT))) {
                causes.add(plainLine);
            }
            if (causes.size() == MAX_ERROR_LINES) {
                break;
            }
        }
        StringBuilder summary = new StringBuilder(head);
        if (!causes.isEmpty()) {
            summary.append("; first errors:");
            causes.forEach(line -> summary.append('\n').append(line));
        }
        if (!rest.isEmpty()) {
            summary.append(labelledTail ? "\nlast lines:\n" : "\n").append(rest);
        }
        if (summary.length() > MAX_LENGTH) {
            // The head holds the cause; what is cut is the end of the tail, which the log still has.
            summary.setLength(MAX_LENGTH);
            summary.append("\n[...] (the deployment's log has the full output)");
        }
        return summary.toString();
    }
}
