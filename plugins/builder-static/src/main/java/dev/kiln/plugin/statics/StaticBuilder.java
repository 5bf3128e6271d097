package dev.kiln.plugin.statics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.pf4j.Extension;

import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.Detection;

/**
 * Deploys a repository as it is, or after the project's own install and build commands: the
 * output is the project's {@code output_directory}, else the source directory.
 */
@Extension
public final class StaticBuilder implements Builder {

    @Override
    public String id() {
        return "static";
    }

    @Override
    public String description() {
        return "Static files: no build, or the project's build_command";
    }

    @Override
    public Optional<Detection> detect(Path sourceDirectory) {
        // The fallback for any repository; a plain HTML site is a slightly better match.
        return Optional.of(Files.isRegularFile(sourceDirectory.resolve("index.html"))
                ? new Detection("static-html", 10)
                : new Detection("static", 1));
    }

    @Override
    public BuildOutput build(BuildContext context) throws BuildException, InterruptedException {
        Path source = context.sourceDirectory();
        if (context.settings().build().isEmpty() && context.settings().output().isEmpty()) {
            // Deploying the sources of a site another tool builds publishes them and serves no site.
            Optional<String> generator;
            try {
                generator = SourceTree.needsBuilding(source);
            } catch (IOException e) {
                throw new BuildException("the repository cannot be read: " + e.getMessage(), e);
            }
            if (generator.isPresent()) {
                throw new BuildException("the static builder deploys files as they are, but " + generator.get());
            }
        }
        context.install(Map.of(), null);
        if (!context.build(Map.of(), null)) {
            context.log().info("no build command: deploying the files as they are");
        }
        Path output = context.output(() -> source);
        return new BuildOutput(output, null);
    }
}
