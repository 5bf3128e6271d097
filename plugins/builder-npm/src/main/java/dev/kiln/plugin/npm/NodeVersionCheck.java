package dev.kiln.plugin.npm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.Command;
import dev.kiln.plugin.api.CommandResult;
import dev.kiln.plugin.npm.NodeVersionRange.NodeVersion;

/**
 * Compares the node a build runs with to the one the project asks for ({@code .nvmrc},
 * {@code .node-version}, {@code engines.node}). Kiln does not switch node versions, so a
 * mismatch is only a warning: many builds work anyway, and when one fails the warning is the
 * first thing its log shows about why.
 */
final class NodeVersionCheck {

    /** Files that name one version, read by nvm, fnm, nodenv and most hosting services. */
    private static final List<String> VERSION_FILES = List.of(".nvmrc", ".node-version");

    private NodeVersionCheck() {
    }

    /**
     * Logs the node version and warns when the project asks for another.
     *
     * @param context the build
     * @param source the project directory
     * @param project its package.json
     * @param environment the tool environment
     * @throws BuildException when node cannot be run at all
     * @throws InterruptedException when the build thread is interrupted
     */
    static void run(BuildContext context, Path source, NpmProject project, Map<String, String> environment)
            throws BuildException, InterruptedException {
        Command version = new Command(List.of("node", "--version"), source, environment);
        context.log().info("node: " + version.display());
        CommandResult result = context.commands().run(version);
        Optional<NodeVersion> installed = result.succeeded() && !result.lastLines().isEmpty()
                ? NodeVersion.parse(result.lastLines().get(result.lastLines().size() - 1))
                : Optional.empty();
        if (installed.isEmpty()) {
            context.log().warn("`node --version` printed no version; the node version the project asks for is not checked");
            return;
        }
        for (String file : VERSION_FILES) {
            Optional<String> wanted = firstLine(source.resolve(file));
            // Only the major version: an .nvmrc usually pins whatever was current on the author's
            // machine, and a different patch release is no reason for a warning.
            Optional<NodeVersion> parsed = wanted.flatMap(NodeVersion::parse);
            if (parsed.isPresent() && parsed.get().major() != installed.get().major()) {
                context.log().warn(file + " asks for node " + wanted.get() + " but this node runs " + installed.get()
                        + "; Kiln does not switch node versions, so the build may behave differently");
            }
        }
        String engine = project.nodeEngine();
        if (engine != null) {
            Optional<NodeVersionRange> range = NodeVersionRange.parse(engine);
            if (range.isEmpty()) {
                context.log().info("engines.node '" + engine + "' is a range Kiln cannot read; not checked");
            } else if (!range.get().includes(installed.get())) {
                context.log().warn("package.json engines.node is '" + engine + "' but this node runs " + installed.get()
                        + "; Kiln does not switch node versions, so the build may fail");
            }
        }
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
