package dev.kiln.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that talks to a Kiln server: the connection options and {@code --json}. */
abstract class ApiCommand implements Callable<Integer> {

    @Option(names = "--server", paramLabel = "URL", description = "The Kiln server (overrides KILN_SERVER and the saved login).")
    String serverOption;

    @Option(names = "--token", paramLabel = "TOKEN", description = "The API token (overrides KILN_TOKEN and the saved login).")
    String tokenOption;

    @Option(names = "--json", description = "Print the API's data as JSON, and nothing else, on stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    private ApiClient client;
    Output output;

    @Override
    public final Integer call() {
        output = Output.create(json);
        return run();
    }

    abstract int run();

    ApiClient client() {
        if (client == null) {
            client = new ApiClient(Config.resolve(serverOption, tokenOption));
        }
        return client;
    }

    /** Asks a yes/no question on the terminal; without one, refuses with what to pass instead. */
    boolean confirm(String question, String flag) {
        java.io.Console console = System.console();
        if (console == null) {
            throw CliException.usage("not asking without a terminal: pass " + flag + " to confirm");
        }
        String answer = console.readLine("%s [y/N] ", question);
        return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
    }
}
