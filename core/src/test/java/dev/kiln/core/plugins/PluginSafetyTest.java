package dev.kiln.core.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln.Response;

/**
 * Plugin files are checked before anything is written, a refused plugin never starts, and
 * plugins that start threads do not leave them behind across install and remove cycles.
 */
class PluginSafetyTest {

    private static final long MAX_UNPACKED = 4_000_000;

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().settings(Map.of("plugins.max_unpacked_bytes", String.valueOf(MAX_UNPACKED)));

    private static List<Path> writtenFiles() throws Exception {
        Path installedDirectory = kiln.dataDirectory().resolve("plugins");
        if (!Files.exists(installedDirectory)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(installedDirectory)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aZipBombAndAnUnwritableNameAreRefusedBeforeAnythingIsWritten() throws Exception {
        List<Path> before = writtenFiles();
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bomb)) {
            zip.putNextEntry(new ZipEntry("plugin.properties"));
            zip.write("plugin.id=bomb\nplugin.version=1.0.0\nplugin.class=x.Y\n".getBytes());
            zip.putNextEntry(new ZipEntry("classes/zeros.bin"));
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 40; i++) {
                zip.write(zeros);
            }
        }
        assertThat(bomb.size()).isLessThan(1_000_000);
        Response refused = kiln.uploadPlugin(bomb.toByteArray());
        assertThat(refused.status()).as(refused.body()).isEqualTo(413);
        assertThat(refused.errorCode()).isEqualTo("payload_too_large");
        assertThat(refused.body()).contains("unpacks to more than " + MAX_UNPACKED);

        Path classes = PluginFiles.compile(kiln.directory("long"), PluginFiles.builder("test.longname", "longname",
                "throw new BuildException(\"unused\");"));
        byte[] longName = PluginFiles.jar(PluginFiles.manifest("longname", "1.0.0", ">=0.1.0", "test.longname.TestPlugin"), classes,
                Map.of("x".repeat(300) + ".txt", new byte[] {1}));
        Response named = kiln.uploadPlugin(longName);
        assertThat(named.status()).as(named.body()).isEqualTo(422);
        assertThat(named.body()).contains("longer than 255 bytes");

        assertThat(writtenFiles()).isEqualTo(before);
        assertThat(kiln.server().plugins().builderIds()).doesNotContain("longname");
    }

    @Test
    void aRefusedPluginNeverRunsStart() throws Exception {
        Path marker = kiln.directory("markers").resolve("started");
        Map<String, String> sources = new LinkedHashMap<>(PluginFiles.builder("test.clash", "shell", "throw new BuildException(\"unused\");"));
        sources.put("test/clash/TestPlugin.java", """
                package test.clash;
                public final class TestPlugin extends org.pf4j.Plugin {
                    @Override public void start() {
                        try {
                            java.nio.file.Files.writeString(java.nio.file.Path.of("%s"), "started");
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
                """.formatted(marker.toString().replace("\\", "\\\\")));
        byte[] jar = PluginFiles.jar(PluginFiles.manifest("clash", "1.0.0", ">=0.1.0", "test.clash.TestPlugin"),
                PluginFiles.compile(kiln.directory("clash"), sources), Map.of());

        Response refused = kiln.uploadPlugin(jar);
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.body()).contains("duplicate extension id: builder 'shell'");
        assertThat(marker).doesNotExist();
        assertThat(kiln.admin("GET", "/plugins/clash", null).status()).isEqualTo(404);
    }

    @Test
    void threadsAPluginStartsDoNotOutliveIt() throws Exception {
        Map<String, String> sources = new LinkedHashMap<>(PluginFiles.builder("test.leaky", "leaky", "throw new BuildException(\"unused\");"));
        // start() starts a thread that stop() forgets; it ends when interrupted.
        sources.put("test/leaky/TestPlugin.java", """
                package test.leaky;
                public final class TestPlugin extends org.pf4j.Plugin {
                    @Override public void start() {
                        Thread thread = new Thread(() -> {
                            try {
                                while (true) {
                                    Thread.sleep(50);
                                }
                            } catch (InterruptedException e) {
                                // the host asks us to go
                            }
                        }, "leaky-plugin-worker");
                        thread.setDaemon(true);
                        thread.start();
                    }
                }
                """);
        byte[] jar = PluginFiles.jar(PluginFiles.manifest("leaky", "1.0.0", ">=0.1.0", "test.leaky.TestPlugin"),
                PluginFiles.compile(kiln.directory("leaky"), sources), Map.of());
        for (int cycle = 0; cycle < 8; cycle++) {
            Response installed = kiln.uploadPlugin(jar);
            assertThat(installed.status()).as(installed.body()).isEqualTo(201);
            assertThat(leakyThreads()).isGreaterThanOrEqualTo(1);
            assertThat(kiln.admin("DELETE", "/plugins/leaky", null).status()).isEqualTo(204);
        }
        Eventually.await(Duration.ofSeconds(30), "the plugin's threads to end", () -> leakyThreads() == 0);
    }

    private static long leakyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().equals("leaky-plugin-worker")).count();
    }
}
