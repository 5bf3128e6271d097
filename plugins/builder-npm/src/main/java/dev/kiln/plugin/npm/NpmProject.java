package dev.kiln.plugin.npm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the builder needs from a {@code package.json}.
 *
 * @param name the package name, or null
 * @param scripts the {@code scripts}, name to command line
 * @param dependencies the names in {@code dependencies} and {@code devDependencies}
 * @param nodeEngine the {@code engines.node} range, or null
 * @param packageManager the {@code packageManager} field (for example {@code pnpm@9.1.0}), or null
 */
record NpmProject(String name, Map<String, String> scripts, Set<String> dependencies, String nodeEngine, String packageManager) {

    static final String FILE = "package.json";

    /**
     * Copies the collections.
     */
    NpmProject {
        scripts = Map.copyOf(scripts);
        dependencies = Set.copyOf(dependencies);
    }

    /**
     * Reads {@code package.json} from a directory.
     *
     * @param directory the project directory
     * @return the project
     * @throws IOException when the file cannot be read (a missing file included)
     * @throws IllegalArgumentException when it is not valid JSON or not an object
     */
    static NpmProject read(Path directory) throws IOException {
        Object parsed = Json.parse(Files.readString(directory.resolve(FILE), StandardCharsets.UTF_8));
        if (!(parsed instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("the document is not a JSON object");
        }
        Map<String, String> scripts = new LinkedHashMap<>();
        // npm ignores members of the wrong type rather than failing, and so does this reader.
        if (root.get("scripts") instanceof Map<?, ?> declared) {
            declared.forEach((script, command) -> {
                if (command instanceof String line) {
                    scripts.put((String) script, line);
                }
            });
        }
        Set<String> dependencies = new LinkedHashSet<>();
        for (String section : new String[] {"dependencies", "devDependencies"}) {
            if (root.get(section) instanceof Map<?, ?> declared) {
                declared.keySet().forEach(dependency -> dependencies.add((String) dependency));
            }
        }
        String nodeEngine = root.get("engines") instanceof Map<?, ?> engines && engines.get("node") instanceof String range ? range : null;
        return new NpmProject(stringMember(root, "name"), scripts, dependencies, nodeEngine, stringMember(root, "packageManager"));
    }

    private static String stringMember(Map<?, ?> object, String member) {
        return object.get(member) instanceof String value && !value.isBlank() ? value : null;
    }

    /**
     * Whether the project depends on a package, at build or at run time.
     *
     * @param dependency the package name
     * @return true when listed
     */
    boolean dependsOn(String dependency) {
        return dependencies.contains(dependency);
    }

    /**
     * A script, when the project has it.
     *
     * @param script the script name
     * @return its command line
     */
    Optional<String> script(String script) {
        return Optional.ofNullable(scripts.get(script)).filter(command -> !command.isBlank());
    }
}
