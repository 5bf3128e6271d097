package dev.kiln.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kiln.core.pipeline.HostBuildContext;
import dev.kiln.core.pipeline.ProcessCommandRunner;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildLog;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.BuildSettings;
import dev.kiln.plugin.api.Builder;

/**
 * One build run straight through a builder, with the host's real build context and process
 * runner, and a log kept in memory. No plugin loading, database or server.
 */
public final class BuildRun {

    private final Path checkout;
    private final Path cache;
    private Path tools;
    private final Map<String, String> environment = new HashMap<>(System.getenv());
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private BuildSettings settings = new BuildSettings(null, null, null, Map.of());

    /**
     * A build of a checkout.
     *
     * @param temp a directory for the checkout (created as {@code src}) and the cache
     */
    public BuildRun(Path temp) throws IOException {
        this.checkout = Files.createDirectories(temp.resolve("src"));
        this.cache = temp.resolve("cache");
        this.tools = temp.resolve("tools");
        // What the pipeline sets too; it changes how some tools behave.
        environment.put("CI", "true");
    }

    /** The checkout, where fixtures go. */
    public Path source() {
        return checkout;
    }

    /** Shares a tools directory between runs (for example one downloaded Node for several tests). */
    public BuildRun tools(Path directory) {
        this.tools = directory;
        return this;
    }

    /** The builder's cache directory. */
    public Path cache() {
        return cache;
    }

    /** Writes a fixture file (creating parents). */
    public BuildRun write(String path, String content) throws IOException {
        Path file = checkout.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return this;
    }

    /** Sets the project's settings. */
    public BuildRun settings(String installCommand, String buildCommand, String outputDirectory, Map<String, String> options) {
        settings = new BuildSettings(installCommand, buildCommand, outputDirectory, options);
        return this;
    }

    /** Sets the project's node_version, keeping its other settings. */
    public BuildRun nodeVersion(String version) {
        settings = new BuildSettings(settings.installCommand(), settings.buildCommand(), settings.outputDirectory(), settings.options(),
                version);
        return this;
    }

    /** Sets a variable of the build's environment, as the project's env would. */
    public BuildRun env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Runs the build. */
    public BuildOutput build(Builder builder) throws BuildException, InterruptedException {
        BuildLog log = lines::add;
        var runner = new ProcessCommandRunner(environment, log, () -> false, Duration.ofMinutes(2));
        var context = new HostBuildContext(1, "test-project", checkout, checkout, settings, Map.copyOf(environment), cache,
                "http://127.0.0.1:9/sites/test-project/d/1/", log, runner, () -> false, tools);
        return builder.build(context);
    }

    /** Every line written to the log so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The log as one text. */
    public String log() {
        return String.join("\n", lines);
    }
}
