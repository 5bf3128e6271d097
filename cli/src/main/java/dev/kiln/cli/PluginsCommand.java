package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln plugins ls | install | enable | disable | rm} (admin tokens). */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "Lists, installs, enables, disables and removes plugins on every node (admin token).",
        subcommands = {PluginsCommand.Ls.class, PluginsCommand.Install.class, PluginsCommand.Enable.class,
            PluginsCommand.Disable.class, PluginsCommand.Rm.class},
        footerHeading = "%nExample:%n", footer = "  kiln plugins install target/kiln-builder-example-1.0.0.jar")
final class PluginsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: ls, install, enable, disable or rm");
    }

    static void summary(Output output, String verb, Map<String, Object> plugin) {
        output.note(verb + " plugin " + plugin.get("id") + " " + plugin.get("version") + " (" + plugin.get("state") + ")"
                + extensions(plugin) + (plugin.get("problem") == null ? "" : ": " + plugin.get("problem")));
    }

    private static String extensions(Map<String, Object> plugin) {
        List<String> parts = new ArrayList<>();
        List<Object> builders = Json.array(plugin.get("builders"));
        List<Object> storage = Json.array(plugin.get("storage_targets"));
        if (!builders.isEmpty()) {
            parts.add("builders " + String.join(", ", builders.stream().map(String::valueOf).toList()));
        }
        if (!storage.isEmpty()) {
            parts.add("storage " + String.join(", ", storage.stream().map(String::valueOf).toList()));
        }
        return parts.isEmpty() ? "" : ": " + String.join("; ", parts);
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists the installed plugins and their extensions.",
            footerHeading = "%nExample:%n", footer = "  kiln plugins ls")
    static final class Ls extends ApiCommand {
        @Override
        int run() {
            List<Object> plugins = client().get("/plugins").list();
            output.show(plugins, () -> {
                List<List<String>> rows = new ArrayList<>();
                for (Object item : plugins) {
                    Map<String, Object> plugin = Json.object(item);
                    String state = Json.string(plugin, "state");
                    rows.add(List.of(Json.string(plugin, "id"), ProjectsCommand.orDash(Json.string(plugin, "version")),
                            "started".equalsIgnoreCase(state) ? output.green(state) : output.yellow(String.valueOf(state)),
                            joined(plugin.get("builders")), joined(plugin.get("storage_targets")),
                            ProjectsCommand.orDash(Json.string(plugin, "problem"))));
                }
                output.table(List.of("ID", "VERSION", "STATE", "BUILDERS", "STORAGE", "PROBLEM"), rows);
            });
            return 0;
        }

        private static String joined(Object list) {
            List<Object> items = Json.array(list);
            return items.isEmpty() ? "-" : String.join(",", items.stream().map(String::valueOf).toList());
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Uploads a plugin (a PF4J jar or zip) and starts it on every node, without a restart.",
            footerHeading = "%nExample:%n", footer = "  kiln plugins install kiln-builder-example-1.0.0.jar")
    static final class Install extends ApiCommand {

        @Parameters(index = "0", paramLabel = "FILE", description = "The plugin jar or zip.")
        Path file;

        @Override
        int run() {
            byte[] content;
            try {
                content = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw CliException.usage("no such file: " + file);
            } catch (IOException e) {
                throw CliException.usage("cannot read " + file + ": " + e.getMessage());
            }
            String name = file.getFileName().toString();
            String type = name.endsWith(".zip") ? "application/zip" : "application/java-archive";
            Map<String, Object> plugin = client().upload("/plugins", content, type).object();
            output.show(plugin, () -> summary(output, "Installed", plugin));
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables and starts a plugin.",
            footerHeading = "%nExample:%n", footer = "  kiln plugins enable builder-example")
    static final class Enable extends ApiCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The plugin id.")
        String id;

        @Override
        int run() {
            Map<String, Object> plugin = client().post("/plugins/" + id + "/enable", null).object();
            output.show(plugin, () -> summary(output, "Enabled", plugin));
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Stops and disables a plugin; projects that use its builders fail until it is enabled again.",
            footerHeading = "%nExample:%n", footer = "  kiln plugins disable builder-example")
    static final class Disable extends ApiCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The plugin id.")
        String id;

        @Override
        int run() {
            Map<String, Object> plugin = client().post("/plugins/" + id + "/disable", null).object();
            output.show(plugin, () -> summary(output, "Disabled", plugin));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Removes a plugin from every node.",
            footerHeading = "%nExample:%n", footer = "  kiln plugins rm builder-example --yes")
    static final class Rm extends ApiCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The plugin id.")
        String id;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        int run() {
            if (!yes && !confirm("Remove plugin " + id + " from every node?", "--yes")) {
                output.note("Nothing removed.");
                return CliException.FAILED;
            }
            client().delete("/plugins/" + id);
            output.show(Map.of("id", id, "removed", true), () -> output.note("Removed plugin " + id));
            return 0;
        }
    }
}
