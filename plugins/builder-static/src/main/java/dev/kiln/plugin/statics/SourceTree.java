package dev.kiln.plugin.statics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Source trees that another tool must build: deployed as they are, they would publish their
 * sources (configuration, templates, Gemfiles) and answer 404 at {@code /}.
 */
final class SourceTree {

    private static final List<String> ELEVENTY_CONFIGS = List.of(".eleventy.js", "eleventy.config.js", "eleventy.config.mjs",
            "eleventy.config.cjs", "eleventy.config.ts");
    // A "build" member inside "scripts"; good enough without a JSON parser: a false match only
    // asks the user to choose the builder they meant.
    private static final Pattern BUILD_SCRIPT = Pattern.compile("\"scripts\"\\s*:\\s*\\{[^}]*\"build\"\\s*:", Pattern.DOTALL);
    private static final long MAX_PACKAGE_JSON = 1 << 20;

    private SourceTree() {
    }

    /**
     * Why a tree must not be deployed as it is.
     *
     * @param source the source directory
     * @return a sentence naming the generator found and the builder or build_command to use; empty when none is found
     * @throws IOException when package.json cannot be read
     */
    static Optional<String> needsBuilding(Path source) throws IOException {
        if (Files.isRegularFile(source.resolve("_config.yml")) && Files.isRegularFile(source.resolve("Gemfile"))) {
            return Optional.of("this is a Jekyll site (_config.yml and Gemfile): set the project's build_command to "
                    + "`bundle install && bundle exec jekyll build` and its output_directory to _site");
        }
        if (Files.isRegularFile(source.resolve("mkdocs.yml")) || Files.isRegularFile(source.resolve("mkdocs.yaml"))) {
            return Optional.of("this is an MkDocs site (mkdocs.yml): set the project's build_command to "
                    + "`pip install mkdocs && mkdocs build` and its output_directory to site");
        }
        Path packageJson = source.resolve("package.json");
        boolean hasPackageJson = Files.isRegularFile(packageJson) && Files.size(packageJson) <= MAX_PACKAGE_JSON;
        if (ELEVENTY_CONFIGS.stream().anyMatch(name -> Files.isRegularFile(source.resolve(name)))) {
            return Optional.of("this is an Eleventy site (" + ELEVENTY_CONFIGS.stream().filter(name -> Files.isRegularFile(source.resolve(name)))
                    .findFirst().orElseThrow() + "): " + (hasPackageJson
                    ? "set the project's builder to 'npm'"
                    : "set the project's build_command to `npx @11ty/eleventy` and its output_directory to _site"));
        }
        if (hasPackageJson && BUILD_SCRIPT.matcher(Files.readString(packageJson, StandardCharsets.UTF_8)).find()) {
            return Optional.of("package.json has a \"build\" script: set the project's builder to 'npm' "
                    + "(or its build_command and output_directory)");
        }
        return Optional.empty();
    }
}
