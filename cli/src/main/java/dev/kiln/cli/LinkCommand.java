package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kiln link [PROJECT]}: remembers the directory's project in {@code .kiln.json}. */
@Command(name = "link", mixinStandardHelpOptions = true,
        description = {"Writes .kiln.json in the current directory, so that later commands here need no --project.",
            "Without PROJECT, finds the project whose repository is this checkout's origin remote."},
        footerHeading = "%nExample:%n", footer = {"  kiln link my-site", "  kiln link 12"})
final class LinkCommand extends ApiCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT", description = "The project, by id or slug.")
    String project;

    @Override
    int run() {
        Map<String, Object> found = project != null ? Projects.resolve(client(), project) : byOrigin();
        Path file = Links.write(found, client().server());
        output.show(found, () -> output.note("Linked " + Links.workingDirectory() + " to project " + found.get("slug")
                + " (" + found.get("id") + ") in " + file.getFileName()));
        return 0;
    }

    private Map<String, Object> byOrigin() {
        String origin = originUrl().orElseThrow(() ->
                CliException.usage("no project given and no git origin here to find it by: run kiln link PROJECT"));
        String wanted = comparable(origin);
        List<Map<String, Object>> matches = new ArrayList<>();
        for (int page = 1; ; page++) {
            ApiClient.Answer answer = client().get("/projects?per_page=100&page=" + page);
            for (Object item : answer.list()) {
                Map<String, Object> candidate = Json.object(item);
                String repo = Json.string(candidate, "repo_url");
                if (repo != null && comparable(repo).equals(wanted)) {
                    matches.add(candidate);
                }
            }
            Long pages = Json.number(answer.meta(), "total_pages");
            if (pages == null || page >= pages) {
                break;
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw CliException.failed("no project deploys " + origin + ": run kiln link PROJECT, or kiln projects create");
        }
        throw CliException.usage(matches.size() + " projects deploy " + origin + ": run kiln link PROJECT with one of "
                + matches.stream().map(match -> Json.string(match, "slug")).toList());
    }

    /** The {@code origin} remote of the Git checkout around the working directory. */
    private static Optional<String> originUrl() {
        for (Path directory = Links.workingDirectory(); directory != null; directory = directory.getParent()) {
            Path config = directory.resolve(".git").resolve("config");
            if (Files.isRegularFile(config)) {
                try {
                    boolean inOrigin = false;
                    for (String line : Files.readAllLines(config)) {
                        String trimmed = line.trim();
                        if (trimmed.startsWith("[")) {
                            inOrigin = trimmed.replace(" ", "").equals("[remote\"origin\"]");
                        } else if (inOrigin && trimmed.startsWith("url")) {
                            int equals = trimmed.indexOf('=');
                            if (equals > 0) {
                                return Optional.of(trimmed.substring(equals + 1).trim());
                            }
                        }
                    }
                } catch (IOException e) {
                    return Optional.empty();
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** {@code git@host:a/b.git}, {@code https://user@host/a/b} and {@code ssh://git@host/a/b.git} compare equal. */
    static String comparable(String url) {
        String text = url.trim().toLowerCase(Locale.ROOT);
        text = text.replaceFirst("^[a-z+]+://", "").replaceFirst("^[^@/]*@", "");
        if (!url.contains("://")) {
            text = text.replaceFirst(":", "/");
        }
        text = text.replaceFirst("/+$", "");
        return text.endsWith(".git") ? text.substring(0, text.length() - 4) : text;
    }
}
