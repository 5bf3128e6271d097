package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** {@code kiln logout}: forgets the saved login. */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Deletes the saved server and token (the token itself stays valid: revoke it with kiln tokens rm).",
        footerHeading = "%nExample:%n", footer = "  kiln logout")
final class LogoutCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Path file = Config.file().toAbsolutePath();
        try {
            boolean deleted = Files.deleteIfExists(file);
            System.err.println(deleted ? "Deleted " + file : "Not logged in: no " + file);
        } catch (IOException e) {
            throw CliException.failed("cannot delete " + file + ": " + e.getMessage());
        }
        return 0;
    }
}
