package dev.kiln.core.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.kiln.core.pipeline.ProcessCommandRunner;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.plugin.api.Builder;

/**
 * What a node can build: the command line tools found on its {@code PATH} (with their versions)
 * and the installed builders whose required tools are all there.
 *
 * @param tools tool name to the first line of its version output
 * @param builders ids of the builders this node can run
 */
public record NodeCapabilities(Map<String, String> tools, List<String> builders) {

    /** Tools worth reporting; builders may need others, which are looked up as well. */
    private static final List<String> KNOWN_TOOLS = List.of("git", "node", "npm", "yarn", "pnpm", "hugo", "mvn", "java");

    /**
     * Copies the collections.
     */
    public NodeCapabilities {
        tools = Map.copyOf(tools);
        builders = List.copyOf(builders);
    }

    /**
     * Looks at this machine. Blocking: runs each tool's version command once.
     *
     * @param plugins the installed builders
     * @return the capabilities
     */
    public static NodeCapabilities probe(PluginHost plugins) {
        String path = System.getenv("PATH");
        Map<String, String> tools = new LinkedHashMap<>();
        java.util.Set<String> wanted = new java.util.LinkedHashSet<>(KNOWN_TOOLS);
        plugins.builders().forEach(builder -> wanted.addAll(builder.requiredTools()));
        for (String tool : wanted) {
            ProcessCommandRunner.findOnPath(tool, path).ifPresent(found -> tools.put(tool, version(found.toString(), tool)));
        }
        List<String> builders = plugins.builders().stream()
                .filter(builder -> tools.keySet().containsAll(builder.requiredTools()))
                .map(Builder::id)
                .sorted()
                .toList();
        return new NodeCapabilities(tools, builders);
    }

    private static String version(String executable, String tool) {
        List<String> command = tool.equals("hugo") ? List.of(executable, "version")
                : tool.equals("java") ? List.of(executable, "-version")
                : List.of(executable, "--version");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "unknown";
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            String first = output.lines().filter(line -> !line.isBlank()).findFirst().orElse("unknown");
            // Maven prints ANSI escapes even to a pipe.
            return first.replaceAll("\u001B\\[[;\\d]*m", "").strip();
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
