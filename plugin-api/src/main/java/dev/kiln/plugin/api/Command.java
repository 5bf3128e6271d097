package dev.kiln.plugin.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A process to run for a build.
 *
 * @param arguments the program and its arguments; the program is looked up on the build's
 *     {@code PATH}
 * @param workingDirectory the directory to run in
 * @param environment variables added to (and overriding) the build's environment
 */
public record Command(List<String> arguments, Path workingDirectory, Map<String, String> environment) {

    /**
     * Validates and copies the command.
     *
     * @param arguments at least the program
     * @param workingDirectory an absolute directory
     * @param environment extra variables, may be empty
     */
    public Command {
        arguments = List.copyOf(arguments);
        if (arguments.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program");
        }
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        environment = Map.copyOf(environment);
    }

    /**
     * A command with no extra environment.
     *
     * @param workingDirectory the directory to run in
     * @param arguments the program and its arguments
     * @return the command
     */
    public static Command of(Path workingDirectory, String... arguments) {
        return new Command(List.of(arguments), workingDirectory, Map.of());
    }

    /**
     * A shell command line, run with {@code sh -c}, as the project's {@code install_command}
     * and {@code build_command} are.
     *
     * @param workingDirectory the directory to run in
     * @param commandLine the shell command line
     * @return the command
     */
    public static Command shell(Path workingDirectory, String commandLine) {
        return new Command(List.of("sh", "-c", commandLine), workingDirectory, Map.of());
    }

    /**
     * This command with more environment variables.
     *
     * @param extra variables to add; they override this command's
     * @return a new command
     */
    public Command withEnvironment(Map<String, String> extra) {
        var merged = new java.util.HashMap<>(environment);
        merged.putAll(extra);
        return new Command(arguments, workingDirectory, merged);
    }

    /**
     * The command line as a user would type it, for logs and error messages.
     *
     * @return the arguments joined by spaces
     */
    public String display() {
        return String.join(" ", arguments);
    }

    /**
     * The command line as a log shows it to a project's developers: arguments that are paths
     * inside {@code folder} are written relative to it ({@code ./mvnw} rather than the checkout's
     * absolute path).
     *
     * @param folder usually the build's source directory
     * @return the command line
     */
    public String display(Path folder) {
        String prefix = folder.toString() + java.io.File.separator;
        return String.join(" ", arguments.stream()
                .map(argument -> argument.startsWith(prefix) ? "./" + argument.substring(prefix.length()) : argument)
                .toList());
    }
}
