package dev.kiln.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln tokens ls | create | rm} (admin tokens). */
@Command(name = "tokens", mixinStandardHelpOptions = true, description = "Lists, creates and revokes API tokens (admin token).",
        subcommands = {TokensCommand.Ls.class, TokensCommand.Create.class, TokensCommand.Rm.class},
        footerHeading = "%nExample:%n", footer = "  kiln tokens create --name ci --project my-site")
final class TokensCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: ls, create or rm");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists the tokens (never their secret part).",
            footerHeading = "%nExample:%n", footer = "  kiln tokens ls")
    static final class Ls extends ApiCommand {
        @Override
        int run() {
            List<Object> all = new ArrayList<>();
            for (int page = 1; ; page++) {
                ApiClient.Answer answer = client().get("/tokens?per_page=100&page=" + page);
                all.addAll(answer.list());
                Long pages = Json.number(answer.meta(), "total_pages");
                if (pages == null || page >= pages) {
                    break;
                }
            }
            output.show(all, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (Object item : all) {
                    Map<String, Object> token = Json.object(item);
                    List<Object> projects = Json.array(token.get("project_ids"));
                    rows.add(List.of(Json.string(token, "id"), Json.string(token, "name"),
                            Boolean.TRUE.equals(token.get("admin")) ? "admin"
                                    : token.get("project_ids") == null ? "all projects"
                                    : "projects " + String.join(",", projects.stream().map(String::valueOf).toList()),
                            Formats.age(Json.string(token, "created_at"))));
                }
                output.table(List.of("ID", "NAME", "ACCESS", "CREATED"), rows);
            });
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a token and prints it on stdout; it is shown only this once.",
            footerHeading = "%nExample:%n", footer = {"  kiln tokens create --name laptop", "  kiln tokens create --name ci -p my-site -p docs"})
    static final class Create extends ApiCommand {

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the token is for.")
        String name;

        @Option(names = {"-p", "--project"}, paramLabel = "PROJECT",
                description = "Limit the token to this project, by id or slug (repeatable; default: every project).")
        List<String> projects;

        @Override
        int run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (projects != null) {
                List<Object> ids = new ArrayList<>();
                projects.forEach(project -> ids.add(Projects.resolve(client(), project).get("id")));
                body.put("project_ids", ids);
            }
            Map<String, Object> token = client().post("/tokens", body).object();
            output.show(token, () -> {
                output.note("Created token " + token.get("id") + " (" + name + "); keep it now, it is not shown again:");
                output.result(Json.string(token, "token"));
            });
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Revokes a token at once.",
            footerHeading = "%nExample:%n", footer = "  kiln tokens rm 7")
    static final class Rm extends ApiCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The token id (kiln tokens ls).")
        long id;

        @Override
        int run() {
            client().delete("/tokens/" + id);
            output.show(Map.of("id", id, "revoked", true), () -> output.note("Revoked token " + id));
            return 0;
        }
    }
}
