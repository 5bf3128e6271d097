package dev.kiln.plugin.npm;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.pf4j.Extension;

import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.Command;
import dev.kiln.plugin.api.Detection;

/**
 * Builds a project with a {@code package.json}: installs its dependencies with npm, yarn or pnpm
 * (whichever its lockfile belongs to), runs its {@code build} script and deploys the directory
 * its framework writes the site to. The project's {@code install_command}, {@code build_command}
 * and {@code output_directory} replace each of those steps.
 */
@Extension
public final class NpmBuilder implements Builder {

    /** A known framework is a surer sign than a bare package.json, which many repositories carry for tooling. */
    private static final int FRAMEWORK_CONFIDENCE = 70;
    private static final int PACKAGE_JSON_CONFIDENCE = 60;
    private static final String NPM_CACHE = "npm-cache";
    static final String YARN_CACHE = "yarn-cache";
    static final String PNPM_STORE = "pnpm-store";
    /** yarn 1 reads its {@code yarn-offline-mirror} setting from this variable. */
    private static final String MIRROR_VARIABLE = "YARN_YARN_OFFLINE_MIRROR";

    @Override
    public String id() {
        return "npm";
    }

    @Override
    public String description() {
        return "Node.js sites: npm, yarn or pnpm install, then the build script (Vite, Astro, SvelteKit, Next.js export, ...)";
    }

    @Override
    public List<String> requiredTools() {
        return List.of("node", "npm");
    }

    @Override
    public List<String> sharedCacheDirectories() {
        // npm's cacache: content-v2 is addressed by hash; index-v5 (names and URLs to content) stays per project.
        // yarn's tarballs, by the SHA-1 its lockfile names (see YarnMirror).
        return List.of(NPM_CACHE + "/_cacache/content-v2", YarnMirror.TARBALLS);
    }

    @Override
    public List<String> deduplicatedCacheDirectories() {
        // yarn 1's cache (unpacked packages, named by package and tarball hash) and pnpm's files
        // (named by their hash, one folder per store layout); never pnpm's index, a database
        // pnpm writes in place, nor yarn's .tmp.
        return List.of(YARN_CACHE + "/v6", PNPM_STORE + "/v3/files", PNPM_STORE + "/v10/files", PNPM_STORE + "/v11/files");
    }

    @Override
    public Optional<Detection> detect(Path sourceDirectory) throws IOException {
        if (!Files.isRegularFile(sourceDirectory.resolve(NpmProject.FILE))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Framework.of(NpmProject.read(sourceDirectory))
                    .map(framework -> new Detection(framework.id(), FRAMEWORK_CONFIDENCE))
                    .orElse(new Detection("npm", PACKAGE_JSON_CONFIDENCE)));
        } catch (IllegalArgumentException e) {
            // An npm project all the same; the build reports what is wrong with its package.json.
            return Optional.of(new Detection("npm", PACKAGE_JSON_CONFIDENCE));
        }
    }

    @Override
    public BuildOutput build(BuildContext context) throws BuildException, InterruptedException {
        Path source = context.sourceDirectory();
        NpmProject project = readProject(source);
        Optional<Framework> framework = Framework.of(project);
        PackageManager.Choice choice = PackageManager.choose(source, context.checkoutDirectory(), project);
        PackageManager manager = choice.manager();
        Path cache = cacheDirectory(context);
        Map<String, String> environment = toolEnvironment(context, source, cache);

        context.log().info("package manager: " + choice.describe());
        if (choice.lockfiles().size() > 1) {
            context.log().warn("several lockfiles (" + String.join(", ", choice.lockfiles()) + "); installing with "
                    + choice.lockfile() + ". Delete the others so every tool agrees on the dependencies.");
        }
        context.log().info("framework: " + framework.map(Framework::id).orElse("none recognised"));

        Optional<String> buildScript = framework.map(known -> known.buildScript(project))
                .orElseGet(() -> project.script("build").map(script -> "build"));
        // Fail before running anything when a step cannot run at all.
        context.configuredOutput();
        if (context.settings().build().isEmpty() && buildScript.isEmpty()) {
            throw new BuildException("package.json has no \"build\" script: add one (for example \"build\": \"vite build\") "
                    + "or set the project's build_command");
        }
        boolean usesManager = context.settings().install().isEmpty() || context.settings().build().isEmpty();
        if (usesManager && manager != PackageManager.NPM && context.findProgram(manager.program()).isEmpty()) {
            throw new BuildException((choice.lockfile() != null
                    ? "this project has a " + choice.lockfile()
                    : "this project's package.json names " + manager.program() + " as its packageManager")
                    + " but " + manager.program() + " is not installed on this node; install it there (for example with "
                    + "`corepack enable`), or set the project's install_command and build_command");
        }

        environment = NodeVersions.choose(context, source, project, environment);
        List<YarnMirror.Tarball> tarballs = List.of();
        if (manager == PackageManager.YARN) {
            environment = yarnMirror(context, cache, environment);
            if (choice.lockfile() != null) {
                tarballs = YarnMirror.tarballs(choice.installDirectory().resolve(choice.lockfile()));
                int linked = linkStoredTarballs(context, tarballs, cache);
                context.log().info("yarn: " + linked + " of the " + tarballs.size() + " tarballs yarn.lock names come from this node's "
                        + "store" + (linked == tarballs.size() ? "" : "; yarn downloads the others"));
            }
        }

        Map<String, String> tools = environment;
        context.install(tools, new Command(manager.install(choice.lockfile(), cache), choice.installDirectory(), tools));
        offerDownloadedTarballs(tarballs, cache);

        context.build(tools, buildScript.map(script -> new Command(manager.run(script), source, tools)).orElse(null));

        Path output = context.output(() -> outputDirectory(source, project, framework));
        context.log().info("output: " + source.relativize(output));
        return new BuildOutput(output, framework.map(Framework::id).orElse("npm"));
    }

    /**
     * Points yarn's offline mirror at the cache, made by the build's own user so that yarn can
     * write into it; a project's env that sets the mirror keeps its own.
     */
    private static Map<String, String> yarnMirror(BuildContext context, Path cache, Map<String, String> environment)
            throws BuildException, InterruptedException {
        if (context.environment().containsKey(MIRROR_VARIABLE)) {
            return environment;
        }
        Path mirror = cache.resolve(YarnMirror.MIRROR);
        context.commands().runChecked(new Command(List.of("mkdir", "-p", mirror.toString()), cache, environment));
        Map<String, String> withMirror = new HashMap<>(environment);
        withMirror.put(MIRROR_VARIABLE, mirror.toString());
        return Map.copyOf(withMirror);
    }

    /** A failure here costs only sharing: yarn downloads what the mirror lacks. */
    private static int linkStoredTarballs(BuildContext context, List<YarnMirror.Tarball> tarballs, Path cache) {
        try {
            return YarnMirror.linkStored(tarballs, cache);
        } catch (IOException e) {
            context.log().warn("yarn's offline mirror cannot take this node's stored tarballs: " + e.getMessage());
            return 0;
        }
    }

    /** A failure here costs only sharing: the install has its packages already. */
    private static void offerDownloadedTarballs(List<YarnMirror.Tarball> tarballs, Path cache) {
        try {
            YarnMirror.offerDownloaded(tarballs, cache);
        } catch (IOException e) {
            // Not shared this time; the next build offers them again.
        }
    }

    private static NpmProject readProject(Path source) throws BuildException {
        try {
            return NpmProject.read(source);
        } catch (NoSuchFileException e) {
            throw new BuildException("there is no package.json in the project's directory; set the project's root_directory "
                    + "to the folder that has it, or choose another builder");
        } catch (IOException e) {
            throw new BuildException("package.json cannot be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BuildException("package.json is not valid: " + e.getMessage(), e);
        }
    }

    private static Path cacheDirectory(BuildContext context) throws BuildException {
        try {
            return context.cacheDirectory();
        } catch (IOException e) {
            throw new BuildException("the build cache directory cannot be created: " + e.getMessage(), e);
        }
    }

    /**
     * What every npm, yarn and pnpm process of the build runs with: the package caches kept in
     * the builder's cache directory, so a second build downloads nothing it already has; quiet,
     * fast installs; and the project's own tools on the PATH, so a build_command can call
     * {@code vite build} as a package.json script would.
     */
    private static Map<String, String> toolEnvironment(BuildContext context, Path source, Path cache) {
        Map<String, String> settings = new HashMap<>();
        settings.put("npm_config_cache", cache.resolve(NPM_CACHE).toString());
        settings.put("YARN_CACHE_FOLDER", cache.resolve(YARN_CACHE).toString());
        settings.put("npm_config_update_notifier", "false");
        settings.put("npm_config_fund", "false");
        settings.put("npm_config_audit", "false");
        Map<String, String> environment = new HashMap<>();
        // The project's env wins: a user who set npm_config_audit=true, or a cache of their own, meant it.
        settings.forEach((name, value) -> {
            if (!context.environment().containsKey(name) && !context.environment().containsKey(name.toUpperCase(Locale.ROOT))) {
                environment.put(name, value);
            }
        });
        // As `npm run` does: node_modules/.bin of the project and of every folder above it up to
        // the repository root, where a monorepo's workspaces keep their hoisted tools.
        List<String> path = new ArrayList<>();
        for (Path directory = source; directory != null && directory.startsWith(context.checkoutDirectory());
             directory = directory.getParent()) {
            path.add(directory.resolve("node_modules").resolve(".bin").toString());
        }
        String inherited = context.environment().get("PATH");
        if (inherited != null && !inherited.isEmpty()) {
            path.add(inherited);
        }
        environment.put("PATH", String.join(File.pathSeparator, path));
        return environment;
    }

    private static Path outputDirectory(Path source, NpmProject project, Optional<Framework> framework) throws BuildException {
        List<String> candidates;
        try {
            // An unknown project's public/ may be what it builds into; a known framework's public/
            // holds its sources (Vite, Create React App), so only the framework's own places count.
            candidates = framework.isPresent() ? framework.get().outputs(source, project) : Framework.COMMON_OUTPUTS;
        } catch (IOException e) {
            throw new BuildException("the build output cannot be read: " + e.getMessage(), e);
        }
        for (String candidate : candidates) {
            if (Files.isDirectory(source.resolve(candidate))) {
                return source.resolve(candidate);
            }
        }
        throw new BuildException("the build wrote none of " + String.join(", ", candidates)
                + framework.map(Framework::missingOutputHint).orElse("")
                + "; set the project's output_directory to the folder the build writes the site to");
    }
}
