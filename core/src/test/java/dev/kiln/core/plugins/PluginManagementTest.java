package dev.kiln.core.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import dev.kiln.plugin.api.Builder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Installing, upgrading, disabling, enabling and removing plugins through the API, on a running node. */
class PluginManagementTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger WORK = new AtomicInteger();

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension()
            .settings(Map.of("plugins.max_upload_bytes", "3000000", "builds.grace_seconds", "1", "plugins.start_timeout_seconds", "2"));
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("site.txt", "hello <plugins>").commit("a text site");
    }

    static Path work() throws IOException {
        return kiln.directory("work-" + WORK.incrementAndGet());
    }

    /** Where plugins installed through the API are kept: the node's data directory, not the installation's. */
    static Path installedDirectory() {
        return kiln.dataDirectory().resolve("plugins");
    }

    static Response upload(byte[] file) throws Exception {
        return upload(file, TestKiln.ADMIN);
    }

    static Response upload(byte[] file, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(kiln.baseUrl() + "/api/v1/public/plugins"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofByteArray(file)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response);
    }

    static JsonArray plugins() throws Exception {
        Response response = kiln.admin("GET", "/plugins", null);
        assertThat(response.status()).isEqualTo(200);
        return response.json().getJsonArray("data");
    }

    static JsonObject plugin(String id) throws Exception {
        return plugins().stream().map(JsonObject.class::cast).filter(plugin -> id.equals(plugin.getString("id"))).findFirst().orElse(null);
    }

    static String site(String url) throws Exception {
        Response response = kiln.get(url);
        return response.status() + " " + response.body();
    }

    JsonObject deploy(String name, JsonObject settings, String... statuses) throws Exception {
        JsonObject project = kiln.createProject(name, repo.url(), settings);
        JsonObject queued = kiln.trigger(project.getLong("id"));
        return kiln.awaitStatus(project.getLong("id"), queued.getLong("id"), WAIT, statuses);
    }

    static String logs(JsonObject deployment) throws Exception {
        return kiln.admin("GET", "/projects/" + deployment.getLong("project_id") + "/deployments/" + deployment.getLong("id") + "/logs", null)
                .data().getString("build_logs");
    }

    @Test
    void theExamplePluginIsInstalledThroughTheApiAndBuildsTheNextDeployment() throws Exception {
        Response installed = upload(PluginFiles.exampleJar(work(), "1.0.0"));

        assertThat(installed.status()).as(installed.body()).isEqualTo(201);
        JsonObject plugin = installed.data();
        assertThat(plugin.getString("id")).isEqualTo("builder-example");
        assertThat(plugin.getString("version")).isEqualTo("1.0.0");
        assertThat(plugin.getString("state")).isEqualTo("started");
        assertThat(plugin.getString("provider")).isEqualTo("Tests");
        assertThat(plugin.getJsonArray("builders")).containsExactly("example");
        assertThat(plugin(PluginInfo.BUILT_IN).getJsonArray("builders")).contains("shell");
        assertThat(Files.exists(installedDirectory().resolve("builder-example-1.0.0.jar"))).isTrue();

        JsonObject deployed = deploy("Example site", new JsonObject().put("builder", "example"), "deployed", "failed");
        assertThat(deployed.getString("status")).as(logs(deployed)).isEqualTo("deployed");
        assertThat(deployed.getString("builder")).isEqualTo("example");
        assertThat(site(deployed.getString("deployment_url"))).contains("hello &lt;plugins&gt;", "Built by the example builder");

        Response again = upload(PluginFiles.exampleJar(work(), "1.0.0"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("conflict");
    }

    @Test
    void pluginClassesUseKilnsPluginApiAndKeepTheirLibrariesPrivate() throws Exception {
        Path libraryOne = library("1");
        Path libraryTwo = library("2");
        assertThat(upload(libraryPlugin("lib-one", libraryOne)).status()).isEqualTo(201);
        assertThat(upload(libraryPlugin("lib-two", libraryTwo)).status()).isEqualTo(201);

        Builder one = kiln.server().plugins().builder("lib-one").orElseThrow();
        Builder two = kiln.server().plugins().builder("lib-two").orElseThrow();
        ClassLoader loader = one.getClass().getClassLoader();
        assertThat(loader).isNotSameAs(Builder.class.getClassLoader());
        assertThat(loader.loadClass(Builder.class.getName())).isSameAs(Builder.class);
        assertThat(loader.loadClass("org.pf4j.Plugin")).isSameAs(org.pf4j.Plugin.class);
        assertThat(one.description()).isEqualTo("library 1");
        assertThat(two.description()).isEqualTo("library 2");
        assertThat(plugin("lib-one").getString("state")).isEqualTo("started");
    }

    private static Path library(String version) throws Exception {
        Path work = work();
        Path classes = PluginFiles.compile(work, Map.of("test/shared/Library.java",
                "package test.shared;\npublic final class Library {\n public static String version() { return \"" + version + "\"; }\n}\n"));
        Path jar = work.resolve("library.jar");
        Files.write(jar, PluginFiles.jar(null, classes, Map.of()));
        return jar;
    }

    private static byte[] libraryPlugin(String id, Path library) throws Exception {
        String packageName = "test." + id.replace("-", "");
        Map<String, String> sources = new LinkedHashMap<>(PluginFiles.pluginClass(packageName));
        sources.put(packageName.replace('.', '/') + "/LibraryBuilder.java", """
                package %s;
                @org.pf4j.Extension
                public final class LibraryBuilder implements dev.kiln.plugin.api.Builder {
                    public String id() { return "%s"; }
                    public String description() { return "library " + test.shared.Library.version(); }
                    public dev.kiln.plugin.api.BuildOutput build(dev.kiln.plugin.api.BuildContext context) {
                        throw new IllegalStateException("not used");
                    }
                }
                """.formatted(packageName, id));
        Path classes = PluginFiles.compile(work(), sources, library);
        return PluginFiles.zip(Map.of("plugin.id", id, "plugin.version", "1.0.0", "plugin.requires", ">=0.1.0",
                "plugin.class", packageName + ".TestPlugin"), classes, Map.of("library.jar", Files.readAllBytes(library)));
    }

    private static String gate(String version) {
        return """
                Path release = Path.of(context.settings().build().orElseThrow());
                context.log().info("gate %s waiting");
                while (!Files.exists(release)) {
                    if (context.isCancelled()) {
                        throw new BuildCancelledException("cancelled");
                    }
                    Thread.sleep(20);
                }
                Path output = context.checkoutDirectory().resolve(".gate");
                Files.createDirectories(output);
                Files.writeString(output.resolve("index.html"), "gate %s");
                return new BuildOutput(output, null);
                """.formatted(version, version);
    }

    @Test
    void anUpgradeLetsRunningBuildsFinishOnTheOldVersionAndTheNextUsesTheNew() throws Exception {
        assertThat(upload(PluginFiles.builderJar(work(), "gate", "1.0.0", "gate", gate("one"))).status()).isEqualTo(201);
        Path release = kiln.directory("gates").resolve("release-gate");
        JsonObject project = kiln.createProject("Gated", repo.url(), new JsonObject().put("builder", "gate")
                .put("build_command", release.toString()));
        long projectId = project.getLong("id");
        JsonObject first = kiln.trigger(projectId);
        kiln.awaitStatus(projectId, first.getLong("id"), WAIT, "building");

        Response upgraded = upload(PluginFiles.builderJar(work(), "gate", "1.1.0", "gate", gate("two")));
        assertThat(upgraded.status()).as(upgraded.body()).isEqualTo(201);
        assertThat(upgraded.data().getString("version")).isEqualTo("1.1.0");
        // The old version stays loaded (and its file stays) while its build runs.
        assertThat(Files.exists(installedDirectory().resolve("gate-1.0.0.jar"))).isTrue();
        Files.writeString(release, "go");

        JsonObject firstDone = kiln.awaitStatus(projectId, first.getLong("id"), WAIT, "deployed", "failed");
        assertThat(firstDone.getString("status")).as(logs(firstDone)).isEqualTo("deployed");
        assertThat(site(firstDone.getString("deployment_url"))).isEqualTo("200 gate one");

        JsonObject second = kiln.awaitStatus(projectId, kiln.trigger(projectId).getLong("id"), WAIT, "deployed", "failed");
        assertThat(site(second.getString("deployment_url"))).isEqualTo("200 gate two");
        assertThat(Files.exists(installedDirectory().resolve("gate-1.0.0.jar"))).isFalse();
        assertThat(Files.exists(installedDirectory().resolve("gate-1.1.0.jar"))).isTrue();

        Response older = upload(PluginFiles.builderJar(work(), "gate", "1.0.5", "gate", gate("three")));
        assertThat(older.status()).isEqualTo(409);
        assertThat(plugin("gate").getString("version")).isEqualTo("1.1.0");
    }

    @Test
    void badPluginsAreRefusedWithTheReasonAndChangeNothing() throws Exception {
        assertThat(upload(PluginFiles.builderJar(work(), "keeper", "1.0.0", "keeper", "throw new BuildException(\"unused\");"))
                .status()).isEqualTo(201);
        JsonArray before = plugins();
        List<String> filesBefore = files();

        Map<String, byte[]> bad = new LinkedHashMap<>();
        Path classes = PluginFiles.compile(work(), PluginFiles.builder("test.bad", "bad", "throw new BuildException(\"unused\");"));
        Map<String, String> manifest = PluginFiles.manifest("bad", "1.0.0", ">=0.1.0", "test.bad.TestPlugin");
        bad.put("wrong Kiln version", PluginFiles.jar(PluginFiles.manifest("bad", "1.0.0", ">=9.0.0", "test.bad.TestPlugin"), classes, Map.of()));
        bad.put("bundles dev/kiln/plugin/api/Builder.class", PluginFiles.jar(manifest, classes,
                Map.of("dev/kiln/plugin/api/Builder.class", new byte[] {1, 2, 3})));
        bad.put("bundles org/pf4j/Plugin.class", PluginFiles.jar(manifest, classes,
                Map.of("lib/pf4j.jar", PluginFiles.jar(null, null, Map.of("org/pf4j/Plugin.class", new byte[] {1})))));
        bad.put("not a Kiln plugin", PluginFiles.jar(null, classes, Map.of()));
        bad.put("no Plugin-Version", PluginFiles.jar(Map.of("Plugin-Id", "bad"), classes, Map.of()));
        bad.put("corrupt archive", "this is not a zip file at all".getBytes());
        byte[] valid = PluginFiles.jar(manifest, classes, Map.of());
        bad.put("corrupt archive:", java.util.Arrays.copyOf(valid, valid.length / 2));
        bad.put("points outside the plugin", PluginFiles.jar(manifest, classes, Map.of("../../evil.txt", new byte[] {1})));
        bad.put("absolute name", PluginFiles.jar(manifest, classes, Map.of("/etc/evil.txt", new byte[] {1})));
        bad.put("is a symbolic link", PluginFiles.markAllAsSymbolicLinks(valid));
        bad.put("duplicate extension id: builder 'shell'", PluginFiles.builderJar(work(), "bad", "1.0.0", "shell",
                "throw new BuildException(\"unused\");"));
        bad.put("is already supplied by plugin 'keeper'", PluginFiles.builderJar(work(), "bad", "1.0.0", "keeper",
                "throw new BuildException(\"unused\");"));
        bad.put("supplies no builder", PluginFiles.jar(manifest, PluginFiles.compile(work(), PluginFiles.pluginClass("test.bad")), Map.of()));

        // A bad newer version of an installed plugin leaves the installed one as it was.
        Path keeperClasses = PluginFiles.compile(work(), PluginFiles.builder("test.keeper.two", "keeper", "throw new BuildException(\"unused\");"));
        bad.put("requires Kiln plugin API >=9.0.0", PluginFiles.jar(PluginFiles.manifest("keeper", "2.0.0", ">=9.0.0",
                "test.keeper.two.TestPlugin"), keeperClasses, Map.of()));
        Map<String, String> failing = new LinkedHashMap<>(PluginFiles.builder("test.keeper.three", "keeper", "throw new BuildException(\"unused\");"));
        failing.put("test/keeper/three/TestPlugin.java", "package test.keeper.three;\npublic final class TestPlugin extends org.pf4j.Plugin {\n"
                + "    @Override public void start() { throw new IllegalStateException(\"cannot start\"); }\n}\n");
        bad.put("failed to start", PluginFiles.jar(PluginFiles.manifest("keeper", "3.0.0", ">=0.1.0", "test.keeper.three.TestPlugin"),
                PluginFiles.compile(work(), failing), Map.of()));

        Map<String, String> hanging = new LinkedHashMap<>(PluginFiles.builder("test.hanging", "hanging", "throw new BuildException(\"unused\");"));
        hanging.put("test/hanging/TestPlugin.java", "package test.hanging;\npublic final class TestPlugin extends org.pf4j.Plugin {\n"
                + "    @Override public void start() { while (true) { try { Thread.sleep(1000); } catch (InterruptedException e) { } } }\n}\n");
        bad.put("did not start within 2 s", PluginFiles.jar(PluginFiles.manifest("hanging", "1.0.0", ">=0.1.0", "test.hanging.TestPlugin"),
                PluginFiles.compile(work(), hanging), Map.of()));

        for (Map.Entry<String, byte[]> entry : bad.entrySet()) {
            Response response = upload(entry.getValue());
            assertThat(response.status()).as(entry.getKey() + ": " + response.body()).isEqualTo(422);
            assertThat(response.errorCode()).isEqualTo("validation_error");
            assertThat(response.json().getJsonObject("error").getString("message")).as(entry.getKey()).contains(entry.getKey());
        }
        assertThat(plugins()).isEqualTo(before);
        assertThat(files()).isEqualTo(filesBefore);
        assertThat(kiln.server().plugins().builderIds()).contains("keeper", "shell").doesNotContain("bad");
        assertThat(kiln.admin("GET", "/health", null).status()).isEqualTo(200);
    }

    private static List<String> files() throws Exception {
        try (Stream<Path> walk = Files.walk(installedDirectory())) {
            return walk.map(path -> installedDirectory().relativize(path).toString())
                    .filter(name -> !name.startsWith(".staging") || name.equals(".staging")).sorted().toList();
        }
    }

    @Test
    void onlyAdminsManagePluginsAndUploadsHaveASizeCap() throws Exception {
        Response token = kiln.admin("POST", "/tokens", new JsonObject().put("name", "not admin"));
        String plain = token.data().getString("token");
        byte[] jar = PluginFiles.builderJar(work(), "nobody", "1.0.0", "nobody", "throw new BuildException(\"unused\");");

        assertThat(upload(jar, plain).status()).isEqualTo(403);
        assertThat(kiln.api("GET", "/plugins", plain, null).status()).isEqualTo(403);
        assertThat(kiln.api("POST", "/plugins/nobody/disable", plain, null).status()).isEqualTo(403);
        assertThat(kiln.api("DELETE", "/plugins/nobody", plain, null).status()).isEqualTo(403);
        assertThat(kiln.api("GET", "/plugins", null, null).status()).isEqualTo(401);
        assertThat(plugin("nobody")).isNull();

        // Larger than the API's usual body limit (1 MiB), smaller than the plugin cap.
        byte[] padding = new byte[1_500_000];
        new java.util.Random(7).nextBytes(padding);
        Path classes = PluginFiles.compile(work(), PluginFiles.builder("test.large", "large", "throw new BuildException(\"unused\");"));
        Response large = upload(PluginFiles.jar(PluginFiles.manifest("large", "1.0.0", ">=0.1.0", "test.large.TestPlugin"), classes,
                Map.of("padding.bin", padding)));
        assertThat(large.status()).as(large.body()).isEqualTo(201);

        Response tooLarge = upload(new byte[3_000_001]);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.errorCode()).isEqualTo("payload_too_large");
        assertThat(tooLarge.body()).contains("3000000 bytes");
        assertThat(kiln.admin("POST", "/plugins/missing/enable", null).status()).isEqualTo(404);
        assertThat(kiln.admin("DELETE", "/plugins/missing", null).status()).isEqualTo(404);
    }

    @Test
    void aBuilderThatThrowsOrHangsFailsOnlyItsDeployment() throws Exception {
        assertThat(upload(PluginFiles.builderJar(work(), "thrower", "1.0.0", "thrower",
                "if (true) { throw new IllegalStateException(\"boom\"); } return null;")).status()).isEqualTo(201);
        assertThat(upload(PluginFiles.builderJar(work(), "hanger", "1.0.0", "hanger",
                "while (true) { try { Thread.sleep(1000); } catch (InterruptedException e) { /* deaf */ } }")).status()).isEqualTo(201);

        JsonObject thrown = deploy("Thrown", new JsonObject().put("builder", "thrower"), "deployed", "failed");
        assertThat(thrown.getString("status")).isEqualTo("failed");
        assertThat(thrown.getString("error_message")).contains("builder 'thrower' crashed", "boom");

        JsonObject hung = deploy("Hung", new JsonObject().put("builder", "hanger").put("build_timeout_seconds", 1), "deployed", "failed");
        assertThat(hung.getString("status")).isEqualTo("failed");
        assertThat(hung.getString("error_message")).isEqualTo("builder 'hanger' did not return within 2 s");

        JsonObject fine = deploy("Still fine", new JsonObject(), "deployed", "failed");
        assertThat(fine.getString("status")).isEqualTo("deployed");
    }

    private static byte[] storagePlugin(String version, String label) throws Exception {
        String packageName = "test.tstore.v" + version.replace(".", "");
        Map<String, String> sources = new LinkedHashMap<>(PluginFiles.pluginClass(packageName));
        sources.put(packageName.replace('.', '/') + "/DirectoryStorage.java", """
                package %s;

                import java.io.*;
                import java.nio.file.*;
                import java.util.*;
                import java.util.stream.*;
                import dev.kiln.plugin.api.*;

                @org.pf4j.Extension
                public final class DirectoryStorage implements StorageTargetFactory {
                    public String id() { return "tstore"; }
                    public String description() { return "%s"; }
                    public StorageTarget create(StorageContext context) {
                        Path root = context.dataDirectory().resolve("tstore");
                        return new StorageTarget() {
                            public StoredArtifact store(String key, Path directory) throws StorageException {
                                try (Stream<Path> files = Files.walk(directory)) {
                                    long count = 0;
                                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                                        Path target = root.resolve(key).resolve(directory.relativize(file).toString());
                                        Files.createDirectories(target.getParent());
                                        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                                        count++;
                                    }
                                    return new StoredArtifact(count, 0);
                                } catch (IOException e) {
                                    throw new StorageException(e.toString());
                                }
                            }
                            public Optional<StoredFile> open(String key, String path) {
                                Path file = root.resolve(key).resolve(path);
                                if (!Files.isRegularFile(file)) {
                                    return Optional.empty();
                                }
                                return Optional.of(new StoredFile() {
                                    public long size() {
                                        try { return Files.size(file); } catch (IOException e) { return 0; }
                                    }
                                    public InputStream openStream() throws IOException {
                                        return Files.newInputStream(file);
                                    }
                                });
                            }
                            public void delete(String key) {
                            }
                        };
                    }
                }
                """.formatted(packageName, label));
        Path classes = PluginFiles.compile(work(), sources);
        return PluginFiles.jar(PluginFiles.manifest("tstore", version, ">=0.1.0", packageName + ".TestPlugin"), classes, Map.of());
    }

    @Test
    void aStoragePluginIsInstalledUsedAndUpgradedWhileItsSitesStayServed() throws Exception {
        Response installed = upload(storagePlugin("1.0.0", "one"));
        assertThat(installed.status()).as(installed.body()).isEqualTo(201);
        assertThat(installed.data().getJsonArray("storage_targets")).containsExactly("tstore");

        GitRepo site = kiln.repository("stored-repo");
        site.write("index.html", "stored in a plugin").commit("one");
        JsonObject project = kiln.createProject("Stored", site.url(), new JsonObject().put("storage", "tstore"));
        long projectId = project.getLong("id");
        JsonObject deployed = kiln.awaitStatus(projectId, kiln.trigger(projectId).getLong("id"), WAIT, "deployed", "failed");
        assertThat(deployed.getString("status")).as(logs(deployed)).isEqualTo("deployed");
        assertThat(site(deployed.getString("deployment_url"))).isEqualTo("200 stored in a plugin");

        assertThat(upload(storagePlugin("1.1.0", "two")).status()).isEqualTo(201);
        assertThat(site(deployed.getString("deployment_url"))).isEqualTo("200 stored in a plugin");
        assertThat(kiln.admin("POST", "/plugins/tstore/disable", null).status()).isEqualTo(200);
        assertThat(site(deployed.getString("deployment_url"))).doesNotStartWith("200");
        assertThat(kiln.admin("POST", "/plugins/tstore/enable", null).status()).isEqualTo(200);
        assertThat(site(deployed.getString("deployment_url"))).isEqualTo("200 stored in a plugin");
    }
}
