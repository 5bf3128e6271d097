package dev.kiln.cli;

import java.util.Map;

import picocli.CommandLine.Option;

/** A command about one project: {@code --project}, else the directory's link. */
abstract class ProjectCommand extends ApiCommand {

    @Option(names = {"-p", "--project"}, paramLabel = "PROJECT",
            description = "The project, by id or slug (default: the one kiln link saved in .kiln.json).")
    String projectOption;

    private Map<String, Object> project;

    /** The project as the API shows it; resolved once. */
    Map<String, Object> project() {
        if (project == null) {
            project = Projects.resolve(client(), projectOption);
        }
        return project;
    }

    long projectId() {
        return Json.number(project(), "id");
    }

    String projectPath() {
        return "/projects/" + projectId();
    }

    String deploymentPath(long deploymentId) {
        return projectPath() + "/deployments/" + deploymentId;
    }
}
