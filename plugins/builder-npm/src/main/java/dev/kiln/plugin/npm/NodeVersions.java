package dev.kiln.plugin.npm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.Command;
import dev.kiln.plugin.api.CommandResult;
import dev.kiln.plugin.npm.NodeVersionRange.NodeVersion;

/**
 * Chooses the Node a build runs with, as hosting services do: the version the project asks for
 * (the project's {@code node_version}, else the builder option {@code node_version}, else
 * {@code NODE_VERSION} in its env, else {@code .nvmrc} or {@code .node-version}, else
 * {@code engines.node}) when the installed Node does not fit it, fetched once per node from the
 * npm registry into the shared tools directory.
 */
final class NodeVersions {

    /** Files that name one version, read by nvm, fnm, nodenv and most hosting services. */
    private static final List<String> VERSION_FILES = List.of(".nvmrc", ".node-version");

    private NodeVersions() {
    }

    /** What the project asks for, and where it says so. */
    private record Wanted(String where, String text) {
    }

    /**
     * Logs the Node the build runs with, switching to the one the project asks for when the
     * installed one does not fit.
     *
     * @param context the build
     * @param source the project directory
     * @param project its package.json
     * @param environment the tool environment; its PATH is changed to run another Node
     * @return the environment to build with
     * @throws BuildException when the project asks for a Node that is neither here nor in the registry
     * @throws InterruptedException when the build thread is interrupted
     */
    static Map<String, String> choose(BuildContext context, Path source, NpmProject project, Map<String, String> environment)
            throws BuildException, InterruptedException {
        Optional<NodeVersion> installed = version(context, source, environment);
        Optional<Wanted> wanted = wanted(context, source, project);
        if (wanted.isEmpty()) {
            context.log().info("building with the installed node" + installed.map(version -> " " + version).orElse("")
                    + ": nothing asks for a version (the project's node_version, NODE_VERSION, .nvmrc, .node-version, engines.node)");
            return environment;
        }
        Optional<NodeVersionRange> range = NodeVersionRange.parse(wanted.get().text());
        if (range.isEmpty()) {
            context.log().info(wanted.get().where() + " '" + wanted.get().text() + "' is a version or alias Kiln cannot read; "
                    + "building with the installed node");
            return environment;
        }
        if (installed.isPresent() && range.get().includes(installed.get())) {
            context.log().info("node " + installed.get() + " fits " + wanted.get().where() + " '" + wanted.get().text() + "'");
            return environment;
        }
        String asked = wanted.get().where() + " asks for node '" + wanted.get().text() + "' but this node runs "
                + installed.map(NodeVersion::toString).orElse("no node");
        NodeDownload.Installed chosen;
        try {
            Optional<Path> tools = context.toolsDirectory();
            if (tools.isEmpty()) {
                context.log().warn(asked + "; this Kiln has no tools directory to fetch it into, so the build may fail");
                return environment;
            }
            Optional<NodeDownload.Installed> cached = NodeDownload.installed(tools.get(), range.get());
            if (cached.isPresent()) {
                chosen = cached.get();
                context.log().info(asked + "; using node " + chosen.version() + " from this node's tool cache");
            } else {
                String registry = registry(context);
                context.log().info(asked + "; fetching it from " + registry + " ("
                        + NodeDownload.platformPackage().orElse("no package for this platform") + ")");
                chosen = NodeDownload.download(tools.get(), range.get(), registry);
                context.log().info("fetched node " + chosen.version() + " into this node's tool cache");
            }
        } catch (IOException e) {
            throw new BuildException(asked + ", and the tool cache cannot be read: " + e.getMessage(), e);
        } catch (BuildException e) {
            throw new BuildException(asked + ", and it cannot be fetched: " + e.getMessage()
                    + "; set the project's node_version to a version this node can run", e);
        }
        Map<String, String> switched = new HashMap<>(environment);
        String path = environment.getOrDefault("PATH", context.environment().getOrDefault("PATH", ""));
        switched.put("PATH", chosen.bin() + (path.isEmpty() ? "" : File.pathSeparator + path));
        version(context, source, switched);
        context.log().info("building with node " + chosen.version() + " for " + wanted.get().where() + " '" + wanted.get().text() + "'");
        return Map.copyOf(switched);
    }

    /** Runs {@code node --version}, logging the command and what it printed. */
    private static Optional<NodeVersion> version(BuildContext context, Path source, Map<String, String> environment)
            throws BuildException, InterruptedException {
        Command version = new Command(List.of("node", "--version"), source, environment);
        context.log().info("node: " + version.display());
        CommandResult result = context.commands().run(version);
        Optional<NodeVersion> parsed = result.succeeded() && !result.lastLines().isEmpty()
                ? NodeVersion.parse(result.lastLines().get(result.lastLines().size() - 1))
                : Optional.empty();
        if (parsed.isEmpty()) {
            context.log().warn("`node --version` printed no version");
        }
        return parsed;
    }

    private static Optional<Wanted> wanted(BuildContext context, Path source, NpmProject project) {
        Optional<String> setting = context.settings().node();
        if (setting.isPresent()) {
            return Optional.of(new Wanted("the project's node_version", setting.get().trim()));
        }
        Optional<String> option = context.settings().option("node_version").filter(value -> !value.isBlank());
        if (option.isPresent()) {
            return Optional.of(new Wanted("the builder option node_version", option.get().trim()));
        }
        String variable = context.environment().get("NODE_VERSION");
        if (variable != null && !variable.isBlank()) {
            return Optional.of(new Wanted("NODE_VERSION", variable.trim()));
        }
        for (String file : VERSION_FILES) {
            Optional<String> line = firstLine(source.resolve(file));
            if (line.isPresent()) {
                return Optional.of(new Wanted(file, line.get()));
            }
        }
        return Optional.ofNullable(project.nodeEngine()).map(range -> new Wanted("package.json engines.node", range));
    }

    private static String registry(BuildContext context) {
        String configured = context.environment().getOrDefault("npm_config_registry", context.environment().get("NPM_CONFIG_REGISTRY"));
        String registry = configured == null || configured.isBlank() ? NodeDownload.DEFAULT_REGISTRY : configured.trim();
        return registry.endsWith("/") ? registry : registry + "/";
    }

    /** The first line that is not blank or a comment; empty when the file is missing or unreadable. */
    private static Optional<String> firstLine(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String value = line.replaceFirst("#.*", "").trim();
                if (!value.isEmpty()) {
                    return Optional.of(value);
                }
            }
        } catch (IOException e) {
            // A version file the build cannot read is not worth failing the build for.
        }
        return Optional.empty();
    }
}
