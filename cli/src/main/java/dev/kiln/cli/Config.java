package dev.kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the CLI keeps the server and token between runs: {@code $KILN_CONFIG}, else
 * {@code $XDG_CONFIG_HOME/kiln/config.json}, else {@code ~/.config/kiln/config.json}; mode 600,
 * because it holds a credential.
 */
final class Config {

    private Config() {
    }

    /** A server and the token to use there. */
    record Login(String server, String token) {
    }

    static Path file() {
        String configured = System.getenv("KILN_CONFIG");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        // $HOME as the shell sees it; Java's user.home comes from the password database instead.
        String home = System.getenv("HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".config");
        return base.resolve("kiln").resolve("config.json");
    }

    /** The saved login, with empty members when there is no file. */
    static Login saved() {
        Path file = file();
        if (!Files.exists(file)) {
            return new Login(null, null);
        }
        try {
            Map<String, Object> config = Json.object(Json.parse(Files.readString(file, StandardCharsets.UTF_8)));
            return new Login(Json.string(config, "server"), Json.string(config, "token"));
        } catch (IOException | Json.MalformedJson e) {
            throw CliException.usage("cannot read " + file + ": " + e.getMessage() + ": fix or delete it, then run kiln login");
        }
    }

    /**
     * The login to use: {@code --server}/{@code --token} first, then {@code KILN_SERVER}/{@code KILN_TOKEN},
     * then the config file.
     */
    static Login resolve(String serverOption, String tokenOption) {
        Login saved = null;
        String server = firstOf(serverOption, System.getenv("KILN_SERVER"));
        String token = firstOf(tokenOption, System.getenv("KILN_TOKEN"));
        if (server == null || token == null) {
            saved = saved();
            server = firstOf(server, saved.server());
            token = firstOf(token, saved.token());
        }
        if (server == null || token == null) {
            throw CliException.usage("not logged in: run kiln login --server URL (or set KILN_SERVER and KILN_TOKEN)");
        }
        return new Login(normalizeServer(server), token);
    }

    static String normalizeServer(String server) {
        String trimmed = server.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (!trimmed.startsWith("http://") && !trimmed.startsWith("https://")) {
            throw CliException.usage("the server must be an http:// or https:// URL, got '" + server + "'");
        }
        return trimmed;
    }

    static void save(Login login) {
        Path file = file().toAbsolutePath();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("server", login.server());
        config.put("token", login.token());
        try {
            Path directory = file.getParent();
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            // Written with mode 600 from the start, then moved into place: the token is never readable by others.
            Path temporary = Files.createTempFile(directory, ".config", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temporary, Json.write(config) + "\n", StandardCharsets.UTF_8);
                try {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (FileSystemException e) {
            throw CliException.failed("cannot write " + file + ": " + e.getReason() + ": set KILN_CONFIG to a writable path");
        } catch (IOException e) {
            throw CliException.failed("cannot write " + file + ": " + e.getMessage() + ": set KILN_CONFIG to a writable path");
        }
    }

    private static String firstOf(String first, String second) {
        return first != null && !first.isBlank() ? first : second != null && !second.isBlank() ? second : null;
    }
}
