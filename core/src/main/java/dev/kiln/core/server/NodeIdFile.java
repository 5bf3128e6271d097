package dev.kiln.core.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The file that keeps a node's id across restarts: {@code node-id} in its data directory. */
final class NodeIdFile {

    private NodeIdFile() {
    }

    /**
     * This node's id, made and kept on first start.
     *
     * @param dataDirectory the node's data directory
     * @return the id
     * @throws IOException when the file cannot be read or written
     */
    static String read(Path dataDirectory) throws IOException {
        Path file = dataDirectory.resolve("node-id");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        String id = "node-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }
}
