package dev.kiln.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kiln} command line for everyday use: it talks to any Kiln server over the public
 * API. ({@code kiln server} itself is core's; the distribution's {@code bin/kiln} sends it there.)
 */
@Command(name = "kiln", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Deploy and watch, logs, rollback, env, domains, plugins and nodes of a Kiln server.",
        subcommands = {
            LoginCommand.class, LogoutCommand.class, LinkCommand.class, ProjectsCommand.class, DeployCommand.class,
            DeploymentCommands.Ls.class, DeploymentCommands.Inspect.class, LogsCommand.class,
            DeploymentCommands.Cancel.class, DeploymentCommands.Rollback.class,
            EnvCommand.class, DomainsCommand.class, WebhookCommand.class,
            PluginsCommand.class, NodesCommand.class, TokensCommand.class,
            CompletionCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%n",
        footer = {
            "Start a server with: kiln server (see kiln server --help).",
            "Exit codes: 0 done, 1 failed (the server refused, or the deployment failed), 2 usage error, 130 interrupted.",
            "",
            "Example:",
            "  kiln login --server https://kiln.example.com",
            "  kiln link my-site && kiln deploy"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'kiln deploy' or 'kiln --help'");
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        // The same rule as the CLI's own output: colours on a terminal only, never with NO_COLOR or CI.
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(
                Output.terminal() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        commandLine.setExecutionExceptionHandler((error, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (error instanceof CliException cli) {
                err.println("kiln: " + cli.getMessage());
                err.flush();
                return cli.exitCode();
            }
            if (System.getenv("KILN_DEBUG") != null) {
                error.printStackTrace(err);
            }
            err.println("kiln: unexpected error: " + oneLine(error) + " (set KILN_DEBUG=1 for details)");
            err.flush();
            return CliException.FAILED;
        });
        commandLine.setParameterExceptionHandler((error, args) -> {
            PrintWriter err = error.getCommandLine().getErr();
            String message = error.getMessage().replaceAll("\\s*\\R\\s*", " ").trim();
            err.println("kiln: " + message + (message.endsWith(".") ? "" : ":") + " see '"
                    + error.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options and an example");
            err.flush();
            return CliException.USAGE;
        });
        return commandLine;
    }

    static String oneLine(Throwable error) {
        Throwable root = error;
        String message = error.getMessage();
        while ((message == null || message.isBlank()) && root.getCause() != null) {
            root = root.getCause();
            message = root.getMessage();
        }
        if (message == null || message.isBlank()) {
            message = root.getClass().getSimpleName();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
