package dev.kiln.plugin.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The one place a project's install and build commands replace a builder's. */
final class BuildSteps {

    private BuildSteps() {
    }

    static boolean run(BuildContext context, String step, Optional<String> projectCommand, Map<String, String> environment,
                       Command byDefault) throws BuildException, InterruptedException {
        Path source = context.sourceDirectory();
        Command command = projectCommand.map(line -> Command.shell(source, line).withEnvironment(environment)).orElse(byDefault);
        if (command == null) {
            return false;
        }
        context.log().info(step + ": " + projectCommand.orElseGet(() -> shown(context, command)));
        context.commands().runChecked(command);
        return true;
    }

    /** A builder's command as the log shows it, with the folder it runs in when that is not the source directory. */
    private static String shown(BuildContext context, Command command) {
        Path folder = command.workingDirectory();
        if (folder.equals(context.sourceDirectory()) || !folder.startsWith(context.checkoutDirectory())) {
            return command.display(context.sourceDirectory());
        }
        String relative = context.checkoutDirectory().relativize(folder).toString();
        return command.display(context.sourceDirectory()) + " in " + (relative.isEmpty() ? "the repository root" : relative);
    }
}
