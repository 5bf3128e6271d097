package dev.kiln.core.server;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options that say which database a command uses: an external one, or the data directory's embedded one. */
final class DatabaseOptions {

    private static final Pattern URL = Pattern.compile("(postgres(?:ql)?://)(?:([^@/:]*)(?::[^@/]*)?@)?(.*)");

    @Option(names = "--database-url", paramLabel = "URL",
            description = "Use this PostgreSQL server (postgresql://user[:password]@host:port/db) instead of the embedded one. "
                    + "Also read from KILN_DATABASE_URL.")
    String databaseUrl;

    @Option(names = "--database-password-file", paramLabel = "FILE",
            description = "Read the password for --database-url from this file, such as another node's "
                    + "kiln-data/postgres/password (also KILN_DATABASE_PASSWORD_FILE).")
    Path passwordFile;

    /**
     * The database URL with its password, or null for the embedded database.
     *
     * @param commandLine for errors
     * @return the URL
     */
    String url(CommandLine commandLine) throws IOException {
        String url = databaseUrl != null ? databaseUrl : System.getenv("KILN_DATABASE_URL");
        if (url == null || url.isBlank()) {
            if (passwordFile != null) {
                throw new CommandLine.ParameterException(commandLine, "--database-password-file needs --database-url");
            }
            return null;
        }
        Matcher matcher = URL.matcher(url.strip());
        if (!matcher.matches()) {
            throw new CommandLine.ParameterException(commandLine,
                    "--database-url must be a postgresql:// URL, got '" + url.replaceAll("//[^@/]*@", "//***@") + "'");
        }
        Path file = passwordFile;
        String fromEnvironment = System.getenv("KILN_DATABASE_PASSWORD_FILE");
        if (file == null && fromEnvironment != null && !fromEnvironment.isBlank()) {
            file = Path.of(fromEnvironment);
        }
        if (file == null) {
            return url.strip();
        }
        if (matcher.group(2) == null || matcher.group(2).isEmpty()) {
            throw new CommandLine.ParameterException(commandLine,
                    "--database-url names no user (postgresql://USER@host:port/db), which --database-password-file needs");
        }
        if (!Files.isReadable(file)) {
            throw new CommandLine.ParameterException(commandLine, "cannot read the database password file " + file);
        }
        String password = Files.readString(file, StandardCharsets.UTF_8).strip();
        return matcher.group(1) + matcher.group(2) + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20")
                + "@" + matcher.group(3);
    }
}
