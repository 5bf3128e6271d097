package dev.kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code .kiln.json}: the project a directory deploys. Found in the current directory or the
 * nearest parent that has one, so that commands work from anywhere in a checkout.
 */
final class Links {

    static final String FILE_NAME = ".kiln.json";

    private Links() {
    }

    /** A directory's link. */
    record Link(Path file, long projectId, String slug, String server) {
    }

    static Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    static Optional<Link> find() {
        for (Path directory = workingDirectory(); directory != null; directory = directory.getParent()) {
            Path file = directory.resolve(FILE_NAME);
            if (Files.isRegularFile(file)) {
                return Optional.of(read(file));
            }
        }
        return Optional.empty();
    }

    private static Link read(Path file) {
        try {
            Map<String, Object> link = Json.object(Json.parse(Files.readString(file, StandardCharsets.UTF_8)));
            Long id = Json.number(link, "project_id");
            if (id == null) {
                throw CliException.usage(file + " names no project_id: run kiln link PROJECT again");
            }
            return new Link(file, id, Json.string(link, "slug"), Json.string(link, "server"));
        } catch (IOException | Json.MalformedJson e) {
            throw CliException.usage("cannot read " + file + ": " + e.getMessage() + ": run kiln link PROJECT again");
        }
    }

    static Path write(Map<String, Object> project, String server) {
        Path file = workingDirectory().resolve(FILE_NAME);
        Map<String, Object> link = new LinkedHashMap<>();
        link.put("project_id", project.get("id"));
        link.put("slug", project.get("slug"));
        link.put("server", server);
        try {
            Files.writeString(file, Json.write(link) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.failed("cannot write " + file + ": " + e.getMessage());
        }
        return file;
    }
}
