package dev.kiln.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands about a project's deployments: {@code ls}, {@code inspect}, {@code cancel}, {@code rollback}. */
final class DeploymentCommands {

    private DeploymentCommands() {
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "Lists a project's deployments, newest first; * marks the active one.",
            footerHeading = "%nExample:%n", footer = {"  kiln ls", "  kiln ls -p my-site -n 50 --json"})
    static final class Ls extends ProjectCommand {

        @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20", description = "How many (1 to 100; default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--page", paramLabel = "N", defaultValue = "1", description = "Which page of N (default: ${DEFAULT-VALUE}).")
        int page;

        @Override
        int run() {
            if (limit < 1 || limit > 100) {
                throw CliException.usage("--limit must be from 1 to 100, got " + limit);
            }
            if (page < 1) {
                throw CliException.usage("--page must be 1 or more, got " + page);
            }
            ApiClient.Answer answer = client().get(projectPath() + "/deployments?per_page=" + limit + "&page=" + page);
            List<Object> items = answer.list();
            output.show(items, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (Object item : items) {
                    Map<String, Object> deployment = Json.object(item);
                    rows.add(List.of(
                            Boolean.TRUE.equals(deployment.get("active")) ? output.green("*") : "",
                            Json.string(deployment, "id"),
                            output.status(Json.string(deployment, "status")),
                            ProjectsCommand.orDash(Json.string(deployment, "branch")),
                            ProjectsCommand.orDash(Formats.shortSha(Json.string(deployment, "commit_sha"))),
                            Formats.age(Json.string(deployment, "created_at")),
                            Formats.buildTime(deployment),
                            ProjectsCommand.orDash(Formats.firstLine(Json.string(deployment, "commit_message"), 50))));
                }
                if (rows.isEmpty()) {
                    output.note("No deployments yet: kiln deploy");
                }
                output.table(List.of("", "ID", "STATUS", "BRANCH", "COMMIT", "AGE", "DURATION", "MESSAGE"), rows);
                Long total = Json.number(answer.meta(), "total");
                if (total != null && total > (long) page * limit) {
                    output.note(output.dim("Showing " + items.size() + " of " + total + ": --page " + (page + 1) + " for more"));
                }
            });
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Shows a deployment.", "With --wait, waits until it is final; exit code 0 when deployed, 1 when failed or cancelled."},
            footerHeading = "%nExample:%n", footer = {"  kiln inspect 42", "  kiln inspect 42 --wait --json"})
    static final class Inspect extends ProjectCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The deployment id.")
        long id;

        @Option(names = "--wait", description = "Wait until the deployment is deployed, failed or cancelled.")
        boolean await;

        @Override
        int run() {
            Map<String, Object> deployment = Deployments.get(this, id);
            if (await) {
                deployment = new DeploymentWatch(client(), output, deploymentPath(id)).follow(false, !output.json());
                if (!"deployed".equals(Json.string(deployment, "status"))) {
                    return DeploymentWatch.finish(output, deployment);
                }
            }
            Map<String, Object> shown = deployment;
            output.show(shown, () -> {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("id", Json.string(shown, "id"));
                fields.put("status", output.status(Json.string(shown, "status")));
                fields.put("active", Boolean.TRUE.equals(shown.get("active")) ? "yes" : "no");
                for (String key : List.of("branch", "environment", "commit_sha", "commit_author")) {
                    fields.put(key, Json.string(shown, key));
                }
                fields.put("commit_message", Formats.firstLine(Json.string(shown, "commit_message"), 72));
                for (String key : List.of("builder", "node", "deployment_url", "branch_url", "trigger", "error_message", "created_at",
                        "started_at", "finished_at", "deployed_at")) {
                    if (shown.get(key) != null || key.equals("error_message") || key.equals("deployment_url")) {
                        fields.put(key, Json.string(shown, key));
                    }
                }
                fields.put("build_time", Formats.buildTime(shown));
                output.fields(fields);
            });
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancels a deployment that is queued or in progress, stopping its build.",
            footerHeading = "%nExample:%n", footer = "  kiln cancel 42")
    static final class Cancel extends ProjectCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The deployment id.")
        long id;

        @Override
        int run() {
            Map<String, Object> deployment = Deployments.post(this, id, "cancel");
            output.show(deployment, () -> output.note("Cancelled deployment " + id + " (" + deployment.get("status") + ")"));
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Makes an earlier deployed deployment the active one again, at once, without rebuilding.",
            footerHeading = "%nExample:%n", footer = "  kiln rollback 41")
    static final class Rollback extends ProjectCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The deployment to serve in production again.")
        long id;

        @Override
        int run() {
            Map<String, Object> deployment = Deployments.post(this, id, "rollback");
            output.show(deployment, () -> {
                output.note("Rolled back " + project().get("slug") + " to deployment " + id + "; production serves it now");
                output.result(ProjectsCommand.orDash(Json.string(project(), "production_url")));
            });
            return 0;
        }
    }
}
