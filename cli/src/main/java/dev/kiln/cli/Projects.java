package dev.kiln.cli;

import java.util.Locale;
import java.util.Map;

/** Finds a project by id or slug (or name), or through the directory's {@code .kiln.json}. */
final class Projects {

    private Projects() {
    }

    /**
     * The project {@code reference} names; with none, the linked one.
     *
     * @param reference an id, a slug, a name, or null
     */
    static Map<String, Object> resolve(ApiClient client, String reference) {
        if (reference == null || reference.isBlank()) {
            Links.Link link = Links.find()
                    .orElseThrow(() -> CliException.usage("no project given: pass --project PROJECT or run kiln link PROJECT in this directory"));
            if (link.server() != null && !link.server().equals(client.server())) {
                throw CliException.usage(link.file() + " links a project on " + link.server() + ", not on " + client.server()
                        + ": pass --project PROJECT or run kiln link again");
            }
            return byId(client, link.projectId(), link.slug() != null ? link.slug() : Long.toString(link.projectId()));
        }
        String trimmed = reference.trim();
        if (trimmed.chars().allMatch(Character::isDigit) && trimmed.length() < 18) {
            return byId(client, Long.parseLong(trimmed), trimmed);
        }
        Map<String, Object> byName = null;
        for (int page = 1; ; page++) {
            ApiClient.Answer answer = client.get("/projects?per_page=100&page=" + page);
            for (Object item : answer.list()) {
                Map<String, Object> project = Json.object(item);
                if (trimmed.equals(Json.string(project, "slug"))) {
                    return project;
                }
                String name = Json.string(project, "name");
                if (byName == null && name != null && name.toLowerCase(Locale.ROOT).equals(trimmed.toLowerCase(Locale.ROOT))) {
                    byName = project;
                }
            }
            Long pages = Json.number(answer.meta(), "total_pages");
            if (pages == null || page >= pages) {
                break;
            }
        }
        if (byName != null) {
            return byName;
        }
        throw notFound(trimmed);
    }

    private static Map<String, Object> byId(ApiClient client, long id, String shown) {
        try {
            return client.get("/projects/" + id).object();
        } catch (ApiError e) {
            if (e.status() == 404) {
                throw notFound(shown);
            }
            throw e;
        }
    }

    static CliException notFound(String reference) {
        return CliException.failed("project '" + reference + "' not found: kiln projects ls shows the projects this token can see");
    }
}
