package dev.kiln.cli;

import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kiln completion bash|zsh}: the shell completion script. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Prints a completion script for bash or zsh.",
        footerHeading = "%nExample:%n",
        footer = {"  source <(kiln completion bash)          # in ~/.bashrc",
            "  source <(kiln completion zsh)           # in ~/.zshrc"})
final class CompletionCommand implements Callable<Integer> {

    /** The shells with a script. */
    enum Shell { bash, zsh }

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash("kiln", root);
        if (shell == Shell.zsh) {
            // picocli's script runs in zsh through bashcompinit.
            script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        System.out.print(script);
        System.out.flush();
        return 0;
    }
}
