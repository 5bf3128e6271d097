package dev.kiln.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the CLI prints: API data or results on stdout, everything else (progress, logs, hints)
 * on stderr. Colours only on a terminal, and never with {@code NO_COLOR} or {@code CI} set.
 */
final class Output {

    private final PrintStream out;
    private final PrintStream err;
    private final boolean colour;
    private final boolean json;

    private Output(PrintStream out, PrintStream err, boolean colour, boolean json) {
        this.out = out;
        this.err = err;
        this.colour = colour;
        this.json = json;
    }

    static Output create(boolean json) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        return new Output(out, err, terminal(), json);
    }

    /** True on an interactive terminal where colours and in-place progress make sense. */
    static boolean terminal() {
        if (System.getenv("NO_COLOR") != null || isSet("CI") || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        return System.console() != null;
    }

    private static boolean isSet(String name) {
        String value = System.getenv(name);
        return value != null && !value.isEmpty() && !value.equalsIgnoreCase("false") && !value.equals("0");
    }

    boolean json() {
        return json;
    }

    boolean colour() {
        return colour;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** API data as JSON on stdout. */
    void printJson(Object data) {
        out.println(Json.write(data));
    }

    /** A result line on stdout. */
    void result(String line) {
        out.println(line);
    }

    /** A message for the person at the terminal, on stderr. */
    void note(String line) {
        err.println(line);
    }

    /** Prints {@code data} as JSON with {@code --json}, else runs {@code human}. */
    void show(Object data, Runnable human) {
        if (json) {
            printJson(data);
        } else {
            human.run();
        }
    }

    String bold(String text) {
        return paint("1", text);
    }

    String dim(String text) {
        return paint("2", text);
    }

    String green(String text) {
        return paint("32", text);
    }

    String red(String text) {
        return paint("31", text);
    }

    String yellow(String text) {
        return paint("33", text);
    }

    String cyan(String text) {
        return paint("36", text);
    }

    /** A status in its colour: green when deployed, red when failed, yellow while in progress. */
    String status(String status) {
        if (status == null) {
            return "";
        }
        return switch (status) {
            case "deployed" -> green(status);
            case "failed" -> red(status);
            case "cancelled" -> dim(status);
            default -> yellow(status);
        };
    }

    private String paint(String code, String text) {
        return colour && text != null && !text.isEmpty() ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }

    /** A table on stdout: columns padded to their widest cell; colour codes do not count. */
    void table(List<String> headers, List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], visibleLength(cell(row, i)));
            }
        }
        for (int r = 0; r < all.size(); r++) {
            List<String> row = all.get(r);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                String text = cell(row, i);
                line.append(r == 0 ? bold(text) : text);
                if (i < widths.length - 1) {
                    line.append(" ".repeat(widths[i] - visibleLength(text) + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** Name and value lines on stdout, names aligned. */
    void fields(Map<String, String> fields) {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((name, value) -> out.println(bold(name + ":") + " ".repeat(width - name.length() + 1)
                + (value == null ? "-" : value)));
    }

    private static String cell(List<String> row, int index) {
        String text = index < row.size() ? row.get(index) : null;
        return text == null ? "-" : text;
    }

    private static int visibleLength(String text) {
        return text.replaceAll("\u001b\\[[0-9;]*m", "").length();
    }
}
