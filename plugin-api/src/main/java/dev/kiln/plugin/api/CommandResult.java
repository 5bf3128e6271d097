package dev.kiln.plugin.api;

import java.util.List;

/**
 * How a process ended.
 *
 * @param exitCode the process's exit code
 * @param lastLines the last lines it printed (stdout and stderr interleaved), at most 20
 */
public record CommandResult(int exitCode, List<String> lastLines) {

    /**
     * Copies the lines.
     *
     * @param exitCode the exit code
     * @param lastLines the last lines of output
     */
    public CommandResult {
        lastLines = List.copyOf(lastLines);
    }

    /**
     * Whether the process exited with code 0.
     *
     * @return true on success
     */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
