package dev.kiln.plugin.npm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The site frameworks the builder recognises by a dependency, and where each writes its site.
 */
enum Framework {

    // Checked in this order: meta-frameworks list the tools they are built on (a SvelteKit app
    // depends on vite, a Docusaurus site on react), so the more specific marker comes first.
    DOCUSAURUS("docusaurus", List.of("@docusaurus/core"), List.of("build"), ""),
    GATSBY("gatsby", List.of("gatsby"), List.of("public"), ""),
    NEXTJS("nextjs", List.of("next"), List.of("out"),
            "; Next.js writes a static site to 'out' only with `output: 'export'` in next.config.js"),
    NUXT("nuxt", List.of("nuxt", "nuxt3"), List.of(".output/public", "dist"),
            "; Nuxt writes a static site with `nuxt generate` (add a \"generate\" script)"),
    ASTRO("astro", List.of("astro"), List.of("dist"), ""),
    SVELTEKIT("sveltekit", List.of("@sveltejs/kit"), List.of("build", "dist"),
            "; SvelteKit writes a static site with @sveltejs/adapter-static"),
    VITEPRESS("vitepress", List.of("vitepress"), List.of("docs/.vitepress/dist", ".vitepress/dist"), ""),
    ELEVENTY("eleventy", List.of("@11ty/eleventy"), List.of("_site"), ""),
    ANGULAR("angular", List.of("@angular/core"), List.of(), ""),
    CREATE_REACT_APP("create-react-app", List.of("react-scripts"), List.of("build"), ""),
    VUE_CLI("vue-cli", List.of("@vue/cli-service"), List.of("dist"), ""),
    VITE("vite", List.of("vite"), List.of("dist"), ""),
    VUE("vue", List.of("vue"), List.of("dist"), "");

    /** Where a build of an unrecognised project most likely wrote its site, in order. */
    static final List<String> COMMON_OUTPUTS = List.of("dist", "build", "out", "public");

    private final String id;
    private final List<String> markers;
    private final List<String> outputs;
    private final String hint;

    Framework(String id, List<String> markers, List<String> outputs, String hint) {
        this.id = id;
        this.markers = markers;
        this.outputs = outputs;
        this.hint = hint;
    }

    /**
     * The name shown as the project's {@code detected_framework}.
     *
     * @return for example {@code sveltekit}
     */
    String id() {
        return id;
    }

    /**
     * Advice to add to the error when the build wrote no output.
     *
     * @return a clause starting with {@code ;}, or empty
     */
    String missingOutputHint() {
        return hint;
    }

    /**
     * The framework a project is built with.
     *
     * @param project its package.json
     * @return the first framework whose marker it depends on; empty when none
     */
    static Optional<Framework> of(NpmProject project) {
        for (Framework framework : values()) {
            if (framework.markers.stream().anyMatch(project::dependsOn)) {
                return Optional.of(framework);
            }
        }
        return Optional.empty();
    }

    /**
     * The script that builds the static site.
     *
     * @param project its package.json
     * @return the script name, when the project has one
     */
    Optional<String> buildScript(NpmProject project) {
        // `nuxt build` makes a server; only `nuxt generate` prerenders the pages a static host serves.
        if (this == NUXT && project.script("generate").isPresent()) {
            return Optional.of("generate");
        }
        return project.script("build").map(command -> "build");
    }

    /**
     * Where this framework writes the site, in order of likelihood; the first that exists is it.
     *
     * @param directory the project directory, after the build
     * @param project its package.json
     * @return directories relative to the project directory
     * @throws IOException when the directory cannot be read
     */
    List<String> outputs(Path directory, NpmProject project) throws IOException {
        if (this != ANGULAR) {
            return outputs;
        }
        // The Angular CLI writes to dist/<project>, and since version 17 to dist/<project>/browser.
        List<String> candidates = new ArrayList<>();
        for (String name : angularProjectNames(directory, project)) {
            candidates.add("dist/" + name + "/browser");
            candidates.add("dist/" + name);
        }
        Path dist = directory.resolve("dist");
        if (Files.isDirectory(dist)) {
            try (Stream<Path> children = Files.list(dist)) {
                List<Path> subdirectories = children.filter(Files::isDirectory).toList();
                if (subdirectories.size() == 1) {
                    String only = "dist/" + subdirectories.get(0).getFileName();
                    candidates.add(only + "/browser");
                    candidates.add(only);
                }
            }
        }
        candidates.add("dist");
        return candidates;
    }

    private static List<String> angularProjectNames(Path directory, NpmProject project) throws IOException {
        List<String> names = new ArrayList<>();
        Path workspace = directory.resolve("angular.json");
        if (Files.isRegularFile(workspace)) {
            try {
                if (Json.parse(Files.readString(workspace, StandardCharsets.UTF_8)) instanceof Map<?, ?> root
                        && root.get("projects") instanceof Map<?, ?> projects) {
                    projects.keySet().forEach(name -> names.add((String) name));
                }
            } catch (IllegalArgumentException e) {
                // The CLI itself reports a broken angular.json during the build; fall back to the package name.
            }
        }
        if (project.name() != null && !names.contains(project.name())) {
            names.add(project.name());
        }
        // A path segment, never a way out of dist/.
        names.removeIf(name -> name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith("."));
        return names;
    }
}
