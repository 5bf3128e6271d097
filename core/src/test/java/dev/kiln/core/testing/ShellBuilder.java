package dev.kiln.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.Builder;
import dev.kiln.plugin.api.Command;
import dev.kiln.plugin.api.Detection;

/**
 * A builder for core's tests: runs the project's build command, if any, through the host's
 * runner and deploys the output directory. Registered as {@code shell}. It reads the project's
 * settings itself, as builders written before {@code BuildContext.build(...)} and
 * {@code output(...)} existed do, so core's tests also show that such builders keep working.
 */
public final class ShellBuilder implements Builder {

    @Override
    public String id() {
        return "shell";
    }

    @Override
    public Optional<Detection> detect(Path sourceDirectory) {
        return Optional.of(new Detection("plain", 1));
    }

    @Override
    public BuildOutput build(BuildContext context) throws BuildException, InterruptedException {
        Optional<String> command = context.settings().build();
        if (command.isPresent()) {
            context.commands().runChecked(Command.shell(context.sourceDirectory(), command.get()));
        }
        Path output = context.settings().output().map(context.sourceDirectory()::resolve).orElse(context.sourceDirectory());
        if (!Files.isDirectory(output)) {
            throw new BuildException("no output directory " + output);
        }
        return new BuildOutput(output, null);
    }
}
