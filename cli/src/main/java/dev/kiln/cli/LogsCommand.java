package dev.kiln.cli;

import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln logs ID [-f] [-n N]}. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Prints a deployment's build log on stdout.", "With -f, follows it live until the deployment ends."},
        footerHeading = "%nExample:%n", footer = {"  kiln logs 42", "  kiln logs 42 -f -n 20"})
final class LogsCommand extends ProjectCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "The deployment id.")
    long id;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until the deployment is final.")
    boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", description = "Only the last N lines (then new ones with -f).")
    Integer lines;

    @Override
    int run() {
        if (lines != null && lines < 0) {
            throw CliException.usage("--lines must be 0 or more, got " + lines);
        }
        if (follow && json) {
            throw CliException.usage("--follow prints lines as they come; --json prints the stored log once: pick one");
        }
        Deployments.get(this, id);
        Map<String, Object> logs = client().get(deploymentPath(id) + "/logs").object();
        String text = Json.string(logs, "build_logs");
        List<String> stored = text == null || text.isEmpty() ? List.of() : text.lines().toList();
        if (json) {
            output.printJson(logs);
            return 0;
        }
        int from = lines == null ? 0 : Math.max(0, stored.size() - lines);
        if (!follow) {
            stored.subList(from, stored.size()).forEach(output::result);
            return 0;
        }
        // The stream's event ids are line numbers: start after the lines that are not wanted.
        String[] lastId = {Integer.toString(from)};
        int finalReconnects = 0;
        while (true) {
            boolean ended = client().stream(deploymentPath(id) + "/logs/stream", lastId[0], event -> {
                if ("end".equals(event.name())) {
                    return false;
                }
                if (event.id() != null) {
                    lastId[0] = event.id();
                }
                output.result(event.data());
                return true;
            });
            // A dropped connection is resumed after the last line; the server ends a final deployment's stream at once.
            if (ended || (DeploymentWatch.isFinal(client().get(deploymentPath(id)).object()) && ++finalReconnects > 2)) {
                break;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 130;
            }
        }
        Map<String, Object> deployment = client().get(deploymentPath(id)).object();
        output.note(output.dim("-- deployment " + id + " " + deployment.get("status")
                + (deployment.get("error_message") == null ? "" : ": " + deployment.get("error_message"))));
        return 0;
    }
}
