package dev.kiln.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs the commands the benchmarks need (git, ps, jcmd, the build tools) and fails on a non-zero exit. */
final class Processes {

    private Processes() {
    }

    /**
     * Runs a command and returns what it printed (standard output and error together).
     *
     * @param directory the working directory, or null for this process's
     * @param environment further environment variables, or null
     * @param command the command
     * @return its output
     * @throws IOException when it cannot start
     * @throws InterruptedException when interrupted
     * @throws IllegalStateException when it exits non-zero
     */
    static String output(Path directory, Map<String, String> environment, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        if (environment != null) {
            builder.environment().putAll(environment);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    /**
     * Runs a command in a directory, its output going to this process's.
     *
     * @param directory the working directory
     * @param command the command
     * @throws IOException when it cannot start
     * @throws InterruptedException when interrupted
     * @throws IllegalStateException when it exits non-zero
     */
    static void inherit(Path directory, String... command) throws IOException, InterruptedException {
        if (new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }
}
