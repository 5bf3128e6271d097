package dev.kiln.example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * Builds repositories that have a {@code site.txt}: the text becomes {@code index.html}. It runs
 * no process; a builder that does would start it with {@code context.commands()}, so that its
 * output reaches the deployment log and cancel and time-out stop it.
 */
@Extension
public final class ExampleBuilder implements Builder {

    static final String GREETING = "Built by the example builder";

    @Override
    public String id() {
        return "example";
    }

    @Override
    public String description() {
        return "Turns site.txt into index.html";
    }

    @Override
    public Optional<Detection> detect(Path sourceDirectory) {
        return Files.isRegularFile(sourceDirectory.resolve("site.txt"))
                ? Optional.of(new Detection("plain-text", 50))
                : Optional.empty();
    }

    @Override
    public BuildOutput build(BuildContext context) throws BuildException, InterruptedException {
        // The project's install_command and build_command, when it set them; this builder has no
        // command of its own for either step (null), so Kiln runs nothing when the project sets none.
        context.install(Map.of(), null);
        context.build(Map.of(), null);

        Path text = context.sourceDirectory().resolve("site.txt");
        // The output goes inside the checkout: Kiln refuses output directories elsewhere.
        Path page = context.checkoutDirectory().resolve(".example-output");
        try {
            String body = escape(Files.readString(text, StandardCharsets.UTF_8));
            Files.createDirectories(page);
            Files.writeString(page.resolve("index.html"),
                    "<!doctype html><title>" + context.projectSlug() + "</title><pre>" + body + "</pre><p>" + GREETING + "</p>\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BuildException("cannot turn site.txt into a page: " + e.getMessage());
        }
        context.log().info("wrote index.html from site.txt");
        // The project's output_directory when it set one, else this builder's folder.
        return new BuildOutput(context.output(() -> page), "plain-text");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
