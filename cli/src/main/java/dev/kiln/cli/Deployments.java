package dev.kiln.cli;

import java.util.Map;

/** Reads and acts on one deployment, with errors that name it. */
final class Deployments {

    private Deployments() {
    }

    static Map<String, Object> get(ProjectCommand command, long id) {
        try {
            return command.client().get(command.deploymentPath(id)).object();
        } catch (ApiError e) {
            throw translate(command, id, e);
        }
    }

    static Map<String, Object> post(ProjectCommand command, long id, String action) {
        try {
            return command.client().post(command.deploymentPath(id) + "/" + action, null).object();
        } catch (ApiError e) {
            throw translate(command, id, e);
        }
    }

    private static CliException translate(ProjectCommand command, long id, ApiError error) {
        if (error.status() == 404 && !error.missingEndpoint()) {
            return CliException.failed("deployment " + id + " of project '" + command.project().get("slug")
                    + "' not found: kiln ls shows its deployments");
        }
        if (error.status() == 409 || error.status() == 422) {
            return CliException.failed("cannot do that to deployment " + id + ": " + error.serverMessage());
        }
        return error;
    }
}
