package dev.kiln.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln deploy}: triggers a deployment and follows it to the end. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploys the newest commit of a branch and follows it to the end.",
            "Shows the phases and the live log on stderr, then prints the deployment URL on stdout.",
            "Exit code 0 when deployed, 1 when failed or cancelled.",
            "Ctrl-C asks whether to cancel the deployment (without a terminal it stops watching and leaves it running)."},
        footerHeading = "%nExample:%n", footer = {"  kiln deploy", "  kiln deploy -p my-site --branch feature/login",
            "  URL=$(kiln deploy) && curl -s \"$URL\""})
final class DeployCommand extends ProjectCommand {

    @Option(names = {"-b", "--branch"}, paramLabel = "BRANCH", description = "The branch to deploy (default: the project's production branch).")
    String branch;

    @Option(names = "--no-wait", description = "Return once the deployment is queued; print its URL-to-be.")
    boolean noWait;

    @Option(names = {"-q", "--quiet"}, description = "Do not show the build log, only the phases.")
    boolean quiet;

    @Override
    int run() {
        Map<String, Object> body = null;
        if (branch != null) {
            body = new LinkedHashMap<>();
            body.put("branch", branch);
        }
        Map<String, Object> deployment = client().post(projectPath() + "/deployments", body).object();
        long id = Json.number(deployment, "id");
        output.note("Deploying " + project().get("slug") + " " + deployment.get("branch") + "@"
                + Formats.shortSha(Json.string(deployment, "commit_sha")) + " \"" + Formats.firstLine(Json.string(deployment, "commit_message"), 60)
                + "\" as deployment " + id);
        if (noWait) {
            output.show(deployment, () -> {
                output.note("Queued. Follow it with: kiln logs -f " + id);
                output.result(Json.string(deployment, "deployment_url"));
            });
            return 0;
        }
        DeploymentWatch watch = new DeploymentWatch(client(), output, deploymentPath(id));
        Interrupts.whileWatching(watch, client(), output, projectPath(), id);
        Map<String, Object> last = watch.follow(!quiet, true);
        return DeploymentWatch.finish(output, last);
    }
}
