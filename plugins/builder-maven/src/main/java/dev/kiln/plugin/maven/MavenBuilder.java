package dev.kiln.plugin.maven;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Builds a Maven project ({@code mvn -B -ntp package}, or the goals of the builder option
 * {@code goal}, through the project's {@code mvnw} when it has one) and deploys {@code target/site}
 * when the build wrote an {@code index.html} there, else {@code target} when it holds one.
 *
 * <p>Builder options: {@code goal} (goals and phases, space separated, and flags such as
 * {@code -Pdocs} with them; default {@code package}), {@code output} (the directory to deploy,
 * relative to the project) and {@code local_repository} (an absolute path, or one starting with
 * {@code ~/}; default: Maven's own default). The local repository is never per build:
 * downloading every dependency again on each deployment would make builds slow and hammer the
 * repositories. A {@code build_command} replaces the whole mvn invocation, options included.
 */
@Extension
public final class MavenBuilder implements Builder {

    // A pom.xml is a certain sign of Maven but not of a site: a repository with a package.json
    // next to it is more often a web front end that Maven merely packages.
    private static final int CONFIDENCE = 50;
    private static final String DEFAULT_GOAL = "package";
    private static final String SITE = "target/site";
    private static final String TARGET = "target";
    private static final String WRAPPER = "mvnw";
    private static final String INDEX = "index.html";

    @Override
    public String id() {
        return "maven";
    }

    @Override
    public String description() {
        return "Maven projects: mvn package (or the goal option), deploying target/site or target";
    }

    @Override
    public List<String> requiredTools() {
        return List.of("mvn");
    }

    @Override
    public Optional<Detection> detect(Path sourceDirectory) {
        return Files.isRegularFile(sourceDirectory.resolve("pom.xml"))
                ? Optional.of(new Detection("maven", CONFIDENCE))
                : Optional.empty();
    }

    @Override
    public BuildOutput build(BuildContext context) throws BuildException, InterruptedException {
        Path source = context.sourceDirectory();
        boolean ownBuild = context.settings().build().isEmpty();
        // Checked before anything runs: a wrong setting should not cost a whole build to find out.
        Optional<Path> optionOutput = context.configuredOutput().isPresent() ? Optional.empty() : optionOutput(context, source);
        Optional<String> localRepository = ownBuild ? localRepository(context) : Optional.empty();

        context.install(Map.of(), null);
        Command build = null;
        if (ownBuild) {
            // Maven's and Java's versions head the log; in batch mode Maven does not print them.
            // Not for a build_command, which may well run a wrapper (./mvnw) of another version.
            List<String> maven = maven(source);
            List<String> versionArguments = new ArrayList<>(maven);
            versionArguments.add("--version");
            Command version = new Command(versionArguments, source, Map.of());
            context.log().info("maven: " + version.display(source)
                    + (maven.size() > 1 || !maven.get(0).equals("mvn") ? " (the project's Maven wrapper)" : ""));
            context.commands().runChecked(version);
            context.log().info("local repository: " + localRepository.orElse("Maven's default (shared by the builds on this node)"));
            build = new Command(mavenArguments(maven, context, localRepository), source, Map.of());
        }
        context.build(Map.of(), build);

        Path output = context.output(() -> outputDirectory(source, optionOutput, context.settings().option("output").orElse("")));
        context.log().info("output: " + source.relativize(output));
        return new BuildOutput(output, "maven");
    }

    /**
     * How to run Maven: the project's wrapper when it has one (it pins the Maven version the
     * project is built with, as its developers build it), else the node's {@code mvn}.
     */
    private static List<String> maven(Path source) {
        Path wrapper = source.resolve(WRAPPER);
        if (!Files.isRegularFile(wrapper)) {
            return List.of("mvn");
        }
        // A wrapper committed without its executable bit still runs through sh, as it is a shell script.
        return Files.isExecutable(wrapper) ? List.of(wrapper.toString()) : List.of("sh", wrapper.toString());
    }

    private static List<String> mavenArguments(List<String> maven, BuildContext context, Optional<String> localRepository) {
        // Batch mode and no transfer progress: a log of lines, not of progress bars and colours.
        List<String> arguments = new ArrayList<>(maven);
        arguments.addAll(List.of("-B", "-ntp"));
        localRepository.ifPresent(repository -> arguments.add("-Dmaven.repo.local=" + repository));
        String goals = context.settings().option("goal").filter(goal -> !goal.isBlank()).orElse(DEFAULT_GOAL);
        arguments.addAll(List.of(goals.trim().split("\\s+")));
        return arguments;
    }

    /**
     * The local repository option, resolved; empty for Maven's default, which honours the node's
     * {@code settings.xml} (where a {@code localRepository} or a mirror may be set).
     */
    private static Optional<String> localRepository(BuildContext context) throws BuildException {
        Optional<String> option = context.settings().option("local_repository").filter(value -> !value.isBlank());
        if (option.isEmpty()) {
            return Optional.empty();
        }
        String value = option.get().trim();
        if (value.startsWith("~/")) {
            String home = context.environment().get("HOME");
            if (home == null || home.isBlank()) {
                throw new BuildException("builder option local_repository '" + value + "' starts with ~/ but HOME is not set");
            }
            value = Path.of(home).resolve(value.substring(2)).toString();
        }
        if (!Path.of(value).isAbsolute()) {
            // Relative to what? The checkout is deleted after each build, which is the one place it must not be.
            throw new BuildException("builder option local_repository must be an absolute path (or start with ~/): '" + value + "'");
        }
        return Optional.of(value);
    }

    /** The builder option {@code output}: where a build writes its site when the project names no output_directory. */
    private static Optional<Path> optionOutput(BuildContext context, Path source) throws BuildException {
        Optional<String> option = context.settings().option("output").filter(value -> !value.isBlank());
        if (option.isEmpty()) {
            return Optional.empty();
        }
        Path directory = source.resolve(option.get()).normalize();
        if (!directory.startsWith(context.checkoutDirectory())) {
            throw new BuildException("builder option output '" + option.get() + "' is outside the repository");
        }
        return Optional.of(directory);
    }

    private static Path outputDirectory(Path source, Optional<Path> option, String optionValue) throws BuildException {
        if (option.isPresent()) {
            if (!Files.isDirectory(option.get())) {
                throw new BuildException("builder option output '" + optionValue + "' does not exist after the build");
            }
            return option.get();
        }
        // Only a folder with a home page is a site: target/site may hold nothing but an SBOM, and
        // target the jars and classes of the build.
        for (String candidate : List.of(SITE, TARGET)) {
            if (Files.isRegularFile(source.resolve(candidate).resolve(INDEX))) {
                return source.resolve(candidate);
            }
        }
        throw new BuildException("the build wrote no site: neither " + SITE + " nor " + TARGET + " holds an " + INDEX
                + " (a plain `mvn package` makes none; run the goals that do with the builder option goal, for example `package site`); "
                + "set the builder option output or the project's output_directory to the folder the build writes the site to");
    }
}
