package dev.kiln.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln env ls | set | rm}: a project's build environment variables. */
@Command(name = "env", mixinStandardHelpOptions = true,
        description = "Lists, sets and removes a project's environment variables (they apply to the next deployment).",
        subcommands = {EnvCommand.Ls.class, EnvCommand.Set.class, EnvCommand.Rm.class},
        footerHeading = "%nExample:%n", footer = {"  kiln env set API_URL=https://api.example.com", "  kiln env set API_KEY=s3cr3t --secret"})
final class EnvCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: ls, set or rm");
    }

    static List<Map<String, Object>> list(ProjectCommand command) {
        List<Map<String, Object>> variables = new ArrayList<>();
        command.client().get(command.projectPath() + "/env-vars").list().forEach(item -> variables.add(Json.object(item)));
        return variables;
    }

    static Map<String, Object> find(ProjectCommand command, String key) {
        return list(command).stream().filter(variable -> key.equals(Json.string(variable, "key"))).findFirst().orElse(null);
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists the variables; secret values show as dots.",
            footerHeading = "%nExample:%n", footer = "  kiln env ls -p my-site")
    static final class Ls extends ProjectCommand {
        @Override
        int run() {
            List<Map<String, Object>> variables = list(this);
            output.show(variables, () -> {
                List<List<String>> rows = new ArrayList<>();
                variables.forEach(variable -> rows.add(List.of(Json.string(variable, "key"), String.valueOf(variable.get("value")),
                        Boolean.TRUE.equals(variable.get("is_secret")) ? "yes" : "no", Formats.age(Json.string(variable, "updated_at")))));
                if (rows.isEmpty()) {
                    output.note("No variables: kiln env set KEY=VALUE");
                }
                output.table(List.of("KEY", "VALUE", "SECRET", "UPDATED"), rows);
            });
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Sets a variable, creating or replacing it.",
            footerHeading = "%nExample:%n", footer = {"  kiln env set NODE_ENV=production", "  kiln env set TOKEN=abc --secret"})
    static final class Set extends ProjectCommand {

        @Parameters(index = "0", paramLabel = "KEY=VALUE", description = "The variable and its value.")
        String assignment;

        @Option(names = "--secret", description = "Never show the value again (in the API, the logs or here).")
        boolean secret;

        @Override
        int run() {
            int equals = assignment.indexOf('=');
            if (equals < 1) {
                throw CliException.usage("expected KEY=VALUE, got '" + assignment + "'");
            }
            String key = assignment.substring(0, equals);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("value", assignment.substring(equals + 1));
            body.put("is_secret", secret);
            Map<String, Object> existing = find(this, key);
            Map<String, Object> variable;
            if (existing == null) {
                Map<String, Object> created = new LinkedHashMap<>();
                created.put("key", key);
                created.putAll(body);
                variable = client().post(projectPath() + "/env-vars", created).object();
            } else {
                variable = client().patch(projectPath() + "/env-vars/" + existing.get("id"), body).object();
            }
            output.show(variable, () -> output.note((existing == null ? "Added " : "Updated ") + key + (secret ? " (secret)" : "")
                    + " to " + project().get("slug") + "; it applies to the next deployment"));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Removes a variable.",
            footerHeading = "%nExample:%n", footer = "  kiln env rm API_KEY")
    static final class Rm extends ProjectCommand {

        @Parameters(index = "0", paramLabel = "KEY", description = "The variable.")
        String key;

        @Override
        int run() {
            Map<String, Object> existing = find(this, key);
            if (existing == null) {
                throw CliException.failed("no variable " + key + " in project '" + project().get("slug") + "': kiln env ls lists them");
            }
            client().delete(projectPath() + "/env-vars/" + existing.get("id"));
            output.show(existing, () -> output.note("Removed " + key + " from " + project().get("slug")));
            return 0;
        }
    }
}
