package dev.kiln.core.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.FakeStorage;
import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;

/** A storage target gets its own settings and the variables it declared, nothing else of Kiln's. */
class StorageEnvironmentTest {

    @TempDir
    Path temp;

    @Test
    void aTargetSeesOnlyItsOwnSettingsAndDeclaredVariables() {
        AtomicReference<StorageContext> seen = new AtomicReference<>();
        PluginHost host = new PluginHost(temp.resolve("plugins"), temp.resolve("data"),
                Map.of("storage.probe.bucket", "mine", "storage.other.secret", "not-mine", "builds.uid", "123"));
        host.register(new StorageTargetFactory() {
            @Override
            public String id() {
                return "probe";
            }

            @Override
            public Set<String> environmentVariables() {
                return Set.of("PATH", "KILN_SURELY_UNSET_VARIABLE");
            }

            @Override
            public StorageTarget create(StorageContext context) {
                seen.set(context);
                return new FakeStorage();
            }
        });
        host.start();
        try {
            assertThat(seen.get().configuration()).containsExactly(Map.entry("bucket", "mine"));
            assertThat(System.getenv()).containsKey("PATH").hasSizeGreaterThan(1);
            assertThat(seen.get().environment()).containsExactly(Map.entry("PATH", System.getenv("PATH")));
        } finally {
            host.stop();
        }
    }
}
