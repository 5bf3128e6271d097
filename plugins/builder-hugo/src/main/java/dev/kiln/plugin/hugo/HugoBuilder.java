package dev.kiln.plugin.hugo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.pf4j.Extension;

import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.Command;
import dev.kiln.plugin.api.Detection;

/**
 * Builds a Hugo site: {@code hugo --minify} with the deployment's URL as the base URL, so links
 * and feeds point at the deployment they are served from. The project's {@code build_command}
 * replaces the hugo invocation and its {@code output_directory} replaces {@code public}.
 */
@Extension
public final class HugoBuilder implements Builder {

    /** Hugo's own names for its configuration, since 0.110: nothing else uses them. */
    private static final List<String> HUGO_CONFIG_FILES = List.of("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json");
    /** Hugo's older names, which many other tools use too: they count only with Hugo's settings inside. */
    private static final List<String> GENERIC_CONFIG_FILES = List.of("config.toml", "config.yaml", "config.yml", "config.json");
    /** A configuration directory, split by environment. */
    private static final Path CONFIG_DIRECTORY = Path.of("config", "_default");
    /** Folders of a Hugo site's layout. */
    private static final List<String> SITE_FOLDERS = List.of("content", "layouts", "themes", "archetypes");
    /** A top-level baseURL or theme setting in TOML ({@code baseURL = }), YAML ({@code baseURL:}) or JSON. */
    private static final Pattern HUGO_SETTING = Pattern.compile("(?im)^\\s*\"?(baseurl|theme)\"?\\s*[=:]");
    /** Larger files are not a site's configuration; reading them would only slow detection down. */
    private static final long MAX_CONFIG_BYTES = 1024 * 1024;
    private static final String DEFAULT_OUTPUT = "public";

    @Override
    public String id() {
        return "hugo";
    }

    @Override
    public String description() {
        return "Hugo sites: hugo --minify with the deployment URL as base URL";
    }

    @Override
    public List<String> requiredTools() {
        return List.of("hugo");
    }

    @Override
    public Optional<Detection> detect(Path sourceDirectory) throws IOException {
        for (String name : HUGO_CONFIG_FILES) {
            if (Files.isRegularFile(sourceDirectory.resolve(name))) {
                return Optional.of(new Detection("hugo", 90));
            }
        }
        Path configDirectory = sourceDirectory.resolve(CONFIG_DIRECTORY);
        for (String name : concat(HUGO_CONFIG_FILES, GENERIC_CONFIG_FILES)) {
            if (Files.isRegularFile(configDirectory.resolve(name))) {
                return Optional.of(new Detection("hugo", 85));
            }
        }
        boolean siteLayout = SITE_FOLDERS.stream().anyMatch(folder -> Files.isDirectory(sourceDirectory.resolve(folder)));
        for (String name : GENERIC_CONFIG_FILES) {
            if (siteLayout && hasHugoSetting(sourceDirectory.resolve(name))) {
                return Optional.of(new Detection("hugo", 80));
            }
        }
        // Hugo refuses to build without a configuration file, so the folders alone are a weak sign:
        // stronger than a plain static site, weaker than a package.json.
        if (Files.isDirectory(sourceDirectory.resolve("content"))
                && (Files.isDirectory(sourceDirectory.resolve("layouts")) || Files.isDirectory(sourceDirectory.resolve("themes")))) {
            return Optional.of(new Detection("hugo", 30));
        }
        return Optional.empty();
    }

    private static boolean hasHugoSetting(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > MAX_CONFIG_BYTES) {
            return false;
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        return HUGO_SETTING.matcher(text).find();
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    @Override
    public BuildOutput build(BuildContext context) throws BuildException, InterruptedException {
        Path source = context.sourceDirectory();
        // Hugo is told where to write: the project's output_directory, else its own public/.
        Path destination = context.configuredOutput().orElse(source.resolve(DEFAULT_OUTPUT));
        Map<String, String> environment = hugoEnvironment(context);

        // First, so that whoever reads a failed build's log knows which Hugo it failed with:
        // sites often need a minimum version or the extended edition.
        Command version = new Command(List.of("hugo", "version"), source, environment);
        context.log().info("hugo: " + version.display());
        context.commands().runChecked(version);

        context.install(environment, null);
        context.build(environment, new Command(List.of("hugo", "--minify", "--baseURL", context.deploymentUrl(),
                "--destination", destination(source, destination)), source, environment));

        Path output = context.output(() -> {
            if (!Files.isDirectory(destination)) {
                throw new BuildException("the build wrote no '" + DEFAULT_OUTPUT + "' directory; set the project's output_directory "
                        + "to the folder the build writes the site to");
            }
            return destination;
        });
        context.log().info("output: " + source.relativize(output));
        return new BuildOutput(output, "hugo");
    }

    private static String destination(Path source, Path output) {
        String relative = source.relativize(output).toString();
        return relative.isEmpty() ? "." : relative;
    }

    /**
     * Keeps Hugo's cache (downloaded modules, processed images) in the builder's cache directory,
     * so a second build does not fetch and resize everything again; a project's own
     * {@code HUGO_CACHEDIR} wins.
     */
    private static Map<String, String> hugoEnvironment(BuildContext context) throws BuildException {
        if (context.environment().containsKey("HUGO_CACHEDIR")) {
            return Map.of();
        }
        try {
            return Map.of("HUGO_CACHEDIR", context.cacheDirectory().resolve("hugo").toString());
        } catch (IOException e) {
            throw new BuildException("the build cache directory cannot be created: " + e.getMessage(), e);
        }
    }
}
