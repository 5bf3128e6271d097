package dev.kiln.plugin.api;

/**
 * Runs build processes for a builder. The host starts each process in its own process group,
 * with the build's environment, writes every line of its stdout and stderr to the deployment log,
 * and kills the whole process tree when the deployment is cancelled or the build times out.
 */
public interface CommandRunner {

    /**
     * Runs a process to its end.
     *
     * @param command what to run
     * @return its exit code and last lines of output
     * @throws BuildCancelledException when the deployment was cancelled meanwhile
     * @throws BuildTimeoutException when the build's time ran out meanwhile
     * @throws BuildException when the process could not be started (for example, no such program)
     * @throws InterruptedException when the calling thread is interrupted
     */
    CommandResult run(Command command) throws BuildException, InterruptedException;

    /**
     * Runs a process and fails the build unless it exits with code 0.
     *
     * @param command what to run
     * @throws BuildException naming the command, its exit code and its last lines of output
     * @throws InterruptedException when the calling thread is interrupted
     */
    default void runChecked(Command command) throws BuildException, InterruptedException {
        CommandResult result = run(command);
        if (!result.succeeded()) {
            StringBuilder message = new StringBuilder()
                    .append('`').append(command.display()).append("` exited with code ").append(result.exitCode());
            if (!result.lastLines().isEmpty()) {
                message.append("; last lines:");
                result.lastLines().forEach(line -> message.append('\n').append(line));
            }
            throw new BuildException(message.toString());
        }
    }
}
