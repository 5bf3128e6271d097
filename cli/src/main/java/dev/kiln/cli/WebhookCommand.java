package dev.kiln.cli;

import java.util.Map;

import picocli.CommandLine.Command;

/** {@code kiln webhook secret}: makes the secret that signs push deliveries. */
@Command(name = "webhook", mixinStandardHelpOptions = true, description = "Sets up deploy on push.",
        subcommands = WebhookCommand.Secret.class,
        footerHeading = "%nExample:%n", footer = "  kiln webhook secret")
final class WebhookCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: secret");
    }

    @Command(name = "secret", mixinStandardHelpOptions = true,
            description = {"Makes a new webhook secret (replacing the old one) and prints it on stdout, with the URL",
                "to give the Git host on stderr. The secret is shown only this once."},
            footerHeading = "%nExample:%n", footer = "  kiln webhook secret -p my-site")
    static final class Secret extends ProjectCommand {
        @Override
        int run() {
            Map<String, Object> created = client().post(projectPath() + "/webhook-secret", null).object();
            String url = Json.string(created, "webhook_url");
            if (url == null) {
                url = Json.string(project(), "webhook_url");
            }
            if (url == null) {
                url = client().server() + "/hooks/" + projectId();
            }
            String hook = url;
            output.show(created, () -> {
                output.note("Payload URL: " + hook + " (content type application/json); secret (shown once):");
                output.result(Json.string(created, "secret"));
            });
            return 0;
        }
    }
}
