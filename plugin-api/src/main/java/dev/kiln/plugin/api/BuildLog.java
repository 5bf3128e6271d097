package dev.kiln.plugin.api;

/**
 * The deployment's log. Lines written here are stored and streamed live to users following the
 * deployment. Output of processes started through {@link CommandRunner} is written here
 * already; a builder writes its own lines for what it decides (which tool, which directory).
 * Safe to call from several threads.
 */
public interface BuildLog {

    /**
     * Appends one line. Line breaks inside {@code line} start new lines.
     *
     * @param line the text, without a trailing newline
     */
    void line(String line);

    /**
     * Appends one line of Kiln's own commentary, marked so users can tell it from tool output.
     *
     * @param message the text
     */
    default void info(String message) {
        line("[kiln] " + message);
    }

    /**
     * Appends a warning line, for problems that do not stop the build.
     *
     * @param message the text
     */
    default void warn(String message) {
        line("[kiln] warning: " + message);
    }
}
