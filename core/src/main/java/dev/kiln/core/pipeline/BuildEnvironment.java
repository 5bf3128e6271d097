package dev.kiln.core.pipeline;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a build's processes see in their environment: the documented {@code KILN_*} build variables, the
 * project's own variables, and the few of the node's that say where tools are and how to reach the network.
 * Nothing else of Kiln's process: never its admin token, database URL or cloud credentials.
 */
final class BuildEnvironment {

    /** Node variables a build inherits: tool locations, locale, and the way out to package registries. */
    static final List<String> INHERITED = List.of("PATH", "LANG", "LC_ALL", "TZ", "JAVA_HOME",
            "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy");
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private BuildEnvironment() {
    }

    /**
     * The environment of one build.
     *
     * @param node the node's own environment, of which only {@link #INHERITED} passes
     * @param build the documented {@code KILN_*} variables of this deployment
     * @param project the project's variables; they win over everything but the build variables
     * @param home the build's home directory, inside the project's cache so that tools keep their caches
     * @return the environment
     */
    static Map<String, String> of(Map<String, String> node, Map<String, String> build, Map<String, String> project, Path home) {
        Map<String, String> environment = new HashMap<>();
        for (String name : INHERITED) {
            String value = node.get(name);
            if (value != null) {
                environment.put(name, value);
            }
        }
        environment.putIfAbsent("PATH", DEFAULT_PATH);
        environment.put("HOME", home.toString());
        environment.put("CI", "true");
        environment.put("KILN", "1");
        environment.putAll(project);
        environment.putAll(build);
        return environment;
    }
}
