package dev.kiln.core.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.kiln.core.store.Database;
import dev.kiln.core.store.TokenStore;
import dev.kiln.core.store.embedded.EmbeddedDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kiln admin-token --reset}: a new admin token for an operator who lost the one printed at the first start.
 * Runs on the server's machine, with its data directory (and its --database-url, when it uses an external database),
 * whether the server runs or not.
 */
@Command(name = "admin-token", mixinStandardHelpOptions = true,
        description = "Replaces the admin token with a new one and prints it (run it where the server's data directory is).")
final class AdminTokenCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--reset", description = "Make a new admin token; the old one stops working.")
    boolean reset;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory (default: ${DEFAULT-VALUE}).",
            defaultValue = "./kiln-data")
    Path dataDirectory;

    @CommandLine.Mixin
    DatabaseOptions database;

    @Override
    public Integer call() throws Exception {
        if (!reset) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the admin token is shown once, when the server "
                    + "first starts; add --reset to replace it with a new one");
        }
        String url = database.url(spec.commandLine());
        EmbeddedDatabase started = null;
        if (url == null) {
            Path postgres = dataDirectory.toAbsolutePath().normalize().resolve("postgres");
            if (!Files.isDirectory(postgres.resolve("pgdata"))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no embedded database in " + postgres
                        + "; give the server's --data-dir, or its --database-url");
            }
            try {
                started = EmbeddedDatabase.start(postgres);
                url = started.connectionUri();
            } catch (IllegalStateException inUse) {
                // the server runs: use its database through the port and password it keeps there
                url = EmbeddedDatabase.connectionUriOf(postgres);
            }
        }
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = Database.pool(vertx, url, 1);
            String token = Database.migrate(pool).compose(applied -> new TokenStore(pool).resetAdmin())
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            pool.close();
            spec.commandLine().getOut().println("New admin token (the old one no longer works): " + token);
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (started != null) {
                started.close();
            }
        }
    }
}
