package dev.kiln.core.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/** Plugins of the installation's directory: loaded at start, never written to, and removable for good. */
class BundledPluginsTest {

    @TempDir
    Path temp;

    private TestKiln start(String database) throws Exception {
        return TestKiln.start(temp.resolve("data"), database, TestKiln::registerFakes, temp.resolve("installation-plugins"), Map.of());
    }

    private static String state(TestKiln kiln, String id) throws Exception {
        return kiln.admin("GET", "/plugins", null).json().getJsonArray("data").stream().map(JsonObject.class::cast)
                .filter(plugin -> id.equals(plugin.getString("id"))).findFirst()
                .map(plugin -> plugin.getString("state")).orElse("absent");
    }

    @Test
    void aBundledPluginIsDisabledAndRemovedWithoutTouchingTheInstallation() throws Exception {
        Path installation = Files.createDirectories(temp.resolve("installation-plugins"));
        Path bundled = installation.resolve("builder-example-1.0.0.jar");
        Files.write(bundled, PluginFiles.exampleJar(temp.resolve("example"), "1.0.0"));
        byte[] original = Files.readAllBytes(bundled);
        String database = TestDatabase.freshDatabase();

        try (TestKiln kiln = start(database)) {
            assertThat(state(kiln, "builder-example")).isEqualTo("started");
            assertThat(kiln.admin("POST", "/plugins/builder-example/disable", null).status()).isEqualTo(200);
        }
        try (TestKiln kiln = start(database)) {
            assertThat(state(kiln, "builder-example")).isEqualTo("disabled");
            assertThat(kiln.admin("DELETE", "/plugins/builder-example", null).status()).isEqualTo(204);
            assertThat(state(kiln, "builder-example")).isEqualTo("absent");
        }
        assertThat(Files.readAllBytes(bundled)).isEqualTo(original);
        assertThat(temp.resolve("data").resolve("plugins").resolve("removed.txt")).content().contains("builder-example");
        try (TestKiln kiln = start(database)) {
            assertThat(state(kiln, "builder-example")).isEqualTo("absent");
            // Installing it again through the API brings it back, from the data directory.
            assertThat(kiln.uploadPlugin(PluginFiles.exampleJar(temp.resolve("example-2"), "1.1.0")).status()).isEqualTo(201);
            assertThat(state(kiln, "builder-example")).isEqualTo("started");
        }
        try (TestKiln kiln = start(database)) {
            assertThat(kiln.admin("GET", "/plugins/builder-example", null).data().getString("version")).isEqualTo("1.1.0");
        }
    }
}
