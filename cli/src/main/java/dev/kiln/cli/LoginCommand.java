package dev.kiln.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln login}: checks a token against a server and saves both. */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Checks an API token against a Kiln server and saves both for later commands.",
            "Without --token the token is read from the terminal without echo (or from stdin when piped).",
            "Saved to $KILN_CONFIG, else ~/.config/kiln/config.json, mode 600."},
        footerHeading = "%nExample:%n",
        footer = {"  kiln login --server https://kiln.example.com", "  echo \"$TOKEN\" | kiln login --server http://localhost:8080"})
final class LoginCommand implements Callable<Integer> {

    @Option(names = "--server", paramLabel = "URL", description = "The Kiln server (default: KILN_SERVER, else the saved one).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "The API token (default: asked for).")
    String token;

    @Option(names = "--json", description = "Print what the server says about the token as JSON on stdout.")
    boolean json;

    @Override
    public Integer call() {
        Output output = Output.create(json);
        String chosen = server != null ? server : System.getenv("KILN_SERVER");
        if (chosen == null || chosen.isBlank()) {
            chosen = Config.saved().server();
        }
        if (chosen == null || chosen.isBlank()) {
            throw CliException.usage("no server given: run kiln login --server URL");
        }
        String url = Config.normalizeServer(chosen);
        String secret = token != null ? token : readToken(url);
        if (secret == null || secret.isBlank()) {
            throw CliException.usage("no token given: pass --token TOKEN or type it when asked");
        }
        Config.Login login = new Config.Login(url, secret.trim());
        ApiClient client = new ApiClient(login);
        // Any authenticated read checks the token; /tokens also tells whether it is an admin token.
        client.get("/projects?per_page=1");
        boolean admin = isAdmin(client);
        Config.save(login);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("server", url);
        result.put("admin", admin);
        result.put("config", Config.file().toAbsolutePath().toString());
        output.show(result, () -> output.note("Logged in to " + url + (admin ? " with an admin token" : "")
                + "; saved to " + Config.file().toAbsolutePath()));
        return 0;
    }

    private static boolean isAdmin(ApiClient client) {
        try {
            client.get("/tokens?per_page=1");
            return true;
        } catch (ApiError e) {
            if (e.status() != 403) {
                throw e;
            }
            return false;
        }
    }

    private static String readToken(String server) {
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("API token for %s: ", server);
            return typed == null ? null : new String(typed);
        }
        try {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw CliException.failed("cannot read the token from stdin: " + e.getMessage());
        }
    }
}
