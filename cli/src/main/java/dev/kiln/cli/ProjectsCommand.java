package dev.kiln.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln projects ls | create | show | rm}. */
@Command(name = "projects", mixinStandardHelpOptions = true, description = "Lists, creates, shows and removes projects.",
        subcommands = {ProjectsCommand.Ls.class, ProjectsCommand.Create.class, ProjectsCommand.Show.class, ProjectsCommand.Rm.class},
        footerHeading = "%nExample:%n", footer = "  kiln projects create --name my-site --repo https://github.com/acme/site.git")
final class ProjectsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: ls, create, show or rm");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists the projects this token can see.",
            footerHeading = "%nExample:%n", footer = "  kiln projects ls --json")
    static final class Ls extends ApiCommand {

        @Override
        int run() {
            List<Object> all = new ArrayList<>();
            for (int page = 1; ; page++) {
                ApiClient.Answer answer = client().get("/projects?per_page=100&page=" + page);
                all.addAll(answer.list());
                Long pages = Json.number(answer.meta(), "total_pages");
                if (pages == null || page >= pages) {
                    break;
                }
            }
            output.show(all, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (Object item : all) {
                    Map<String, Object> project = Json.object(item);
                    rows.add(List.of(Json.string(project, "id"), Json.string(project, "slug"), orDash(Json.string(project, "builder")),
                            orDash(Json.string(project, "default_branch")), orDash(Json.string(project, "active_deployment_id")),
                            orDash(Json.string(project, "production_url"))));
                }
                if (rows.isEmpty()) {
                    output.note("No projects yet: kiln projects create --name NAME --repo URL");
                }
                output.table(List.of("ID", "SLUG", "BUILDER", "BRANCH", "ACTIVE", "URL"), rows);
            });
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a project.",
            footerHeading = "%nExample:%n",
            footer = {"  kiln projects create --name docs --repo https://github.com/acme/docs.git --builder hugo",
                "  kiln projects create --name app --repo git@github.com:acme/app.git --build-command 'npm run build' --env NODE_ENV=production"})
    static final class Create extends ApiCommand {

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The name (unique; the slug is derived from it).")
        String name;

        @Option(names = "--repo", required = true, paramLabel = "URL", description = "The Git repository: https://, ssh://, git@ or file://.")
        String repo;

        @Option(names = "--branch", paramLabel = "BRANCH", description = "The production branch (default: main).")
        String branch;

        @Option(names = "--builder", paramLabel = "ID", description = "A builder plugin id such as static, npm, hugo, maven (default: detected).")
        String builder;

        @Option(names = "--install-command", paramLabel = "CMD", description = "Overrides the builder's install command.")
        String installCommand;

        @Option(names = "--build-command", paramLabel = "CMD", description = "Overrides the builder's build command.")
        String buildCommand;

        @Option(names = "--output-dir", paramLabel = "DIR", description = "Where the build writes the site.")
        String outputDirectory;

        @Option(names = "--root-dir", paramLabel = "DIR", description = "The project's directory in a monorepo.")
        String rootDirectory;

        @Option(names = "--storage", paramLabel = "ID", description = "A storage target id (default: local).")
        String storage;

        @Option(names = "--node-version", paramLabel = "VERSION",
                description = "The Node.js version or range npm builds use, such as 20 or '>=18 <21' (default: the repository's .nvmrc or engines.node).")
        String nodeVersion;

        @Option(names = "--build-timeout", paramLabel = "SECONDS", description = "Build time limit (default: 1200).")
        Integer buildTimeout;

        @Option(names = "--env", paramLabel = "KEY=VALUE", description = "A build environment variable (repeatable).")
        Map<String, String> env;

        @Override
        int run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("repo_url", repo);
            putIfSet(body, "default_branch", branch);
            putIfSet(body, "builder", builder);
            putIfSet(body, "install_command", installCommand);
            putIfSet(body, "build_command", buildCommand);
            putIfSet(body, "output_directory", outputDirectory);
            putIfSet(body, "root_directory", rootDirectory);
            putIfSet(body, "storage", storage);
            putIfSet(body, "node_version", nodeVersion);
            if (buildTimeout != null) {
                body.put("build_timeout_seconds", buildTimeout);
            }
            if (env != null) {
                body.put("env", new LinkedHashMap<String, Object>(env));
            }
            Map<String, Object> project = client().post("/projects", body).object();
            output.show(project, () -> {
                output.note("Created project " + project.get("slug") + " (" + project.get("id") + "); deploy it with: kiln deploy -p "
                        + project.get("slug"));
                output.result(String.valueOf(project.get("id")));
            });
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a project.",
            footerHeading = "%nExample:%n", footer = {"  kiln projects show my-site", "  kiln projects show --json"})
    static final class Show extends ApiCommand {

        @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT", description = "Id or slug (default: the linked project).")
        String project;

        @Override
        int run() {
            Map<String, Object> found = Projects.resolve(client(), project);
            output.show(found, () -> {
                Map<String, String> fields = new LinkedHashMap<>();
                for (String key : List.of("id", "name", "slug", "repo_url", "default_branch", "builder", "detected_framework",
                        "install_command", "build_command", "output_directory", "root_directory", "node_version", "storage",
                        "build_timeout_seconds", "production_url", "active_deployment_id", "webhook_url", "created_at", "updated_at")) {
                    if (found.containsKey(key)) {
                        fields.put(key, Json.string(found, key));
                    }
                }
                Map<String, Object> env = Json.object(found.get("env"));
                if (!env.isEmpty()) {
                    fields.put("env", String.join(", ", env.keySet()));
                }
                output.fields(fields);
            });
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Removes a project, its deployments and their files (refused while a deployment is in progress).",
            footerHeading = "%nExample:%n", footer = "  kiln projects rm old-site --yes")
    static final class Rm extends ApiCommand {

        @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT", description = "Id or slug (default: the linked project).")
        String project;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        int run() {
            Map<String, Object> found = Projects.resolve(client(), project);
            String slug = Json.string(found, "slug");
            if (!yes && !confirm("Remove project " + slug + " with all its deployments?", "--yes")) {
                output.note("Nothing removed.");
                return CliException.FAILED;
            }
            client().delete("/projects/" + found.get("id"));
            output.show(found, () -> output.note("Removed project " + slug + " (" + found.get("id") + ")"));
            return 0;
        }
    }

    static void putIfSet(Map<String, Object> body, String key, String value) {
        if (value != null) {
            body.put(key, value);
        }
    }

    static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
