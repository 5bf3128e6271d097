package dev.kiln.core.plugins;

import java.nio.file.Path;

/** Plugin files made for tests, for tests outside this package (the dashboard's). */
public final class TestPluginJars {

    private TestPluginJars() {
    }

    /**
     * A plugin jar with one builder that deploys the checkout as it is.
     *
     * @param work a fresh directory
     * @param pluginId the plugin id
     * @param builderId its builder's id
     * @return the jar
     */
    public static byte[] passThroughBuilder(Path work, String pluginId, String builderId) {
        return PluginFiles.builderJar(work, pluginId, "1.0.0", builderId, "return new BuildOutput(context.sourceDirectory(), null);");
    }
}
