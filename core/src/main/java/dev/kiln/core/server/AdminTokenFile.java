package dev.kiln.core.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The admin token generated at the first start, kept (readable by this user only) in the data directory until a
 * start reaches ready and prints it, so that a start that fails after generating it does not lose it.
 */
final class AdminTokenFile {

    static final String NAME = "admin-token.unshown";

    private AdminTokenFile() {
    }

    static void keep(Path dataDirectory, String token) throws IOException {
        FileAttribute<?>[] attributes = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Path temporary = Files.createTempFile(dataDirectory, NAME, ".tmp", attributes);
        Files.writeString(temporary, token + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, dataDirectory.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Optional<String> read(Path dataDirectory) throws IOException {
        Path file = dataDirectory.resolve(NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    static void delete(Path dataDirectory) throws IOException {
        Files.deleteIfExists(dataDirectory.resolve(NAME));
    }
}
