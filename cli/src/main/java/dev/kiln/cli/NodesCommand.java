package dev.kiln.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;

/** {@code kiln nodes}: the build farm. */
@Command(name = "nodes", mixinStandardHelpOptions = true,
        description = "Lists the build farm's nodes: state, executors busy of total, labels, builders.",
        footerHeading = "%nExample:%n", footer = "  kiln nodes --json")
final class NodesCommand extends ApiCommand {

    @Override
    int run() {
        List<Object> nodes = client().get("/nodes").list();
        output.show(nodes, () -> {
            List<List<String>> rows = new ArrayList<>();
            for (Object item : nodes) {
                Map<String, Object> node = Json.object(item);
                Map<String, Object> executors = Json.object(node.get("executors"));
                String state = Json.string(node, "state");
                rows.add(List.of(Json.string(node, "id"),
                        "up".equalsIgnoreCase(state) || "active".equalsIgnoreCase(state) ? output.green(state) : String.valueOf(state),
                        Json.string(executors, "busy") + "/" + Json.string(executors, "total"),
                        list(node.get("labels")), list(Json.object(node.get("capabilities")).get("builders")),
                        ProjectsCommand.orDash(Json.string(node, "http_url")), Formats.age(Json.string(node, "last_seen_at"))));
            }
            output.table(List.of("ID", "STATE", "BUSY", "LABELS", "BUILDERS", "URL", "SEEN"), rows);
        });
        return 0;
    }

    private static String list(Object value) {
        List<Object> items = Json.array(value);
        return items.isEmpty() ? "-" : String.join(",", items.stream().map(String::valueOf).toList());
    }
}
