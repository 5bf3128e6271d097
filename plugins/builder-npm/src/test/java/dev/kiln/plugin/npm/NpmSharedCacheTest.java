package dev.kiln.plugin.npm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.RequiredTools;
import io.vertx.core.json.JsonObject;

/**
 * Projects with the same dependencies share the node's package store: the second install downloads
 * nothing, and one project's build cannot change what another project's install gets. Needs the
 * npm registry: skipped where it cannot be reached, except in CI.
 */
class NpmSharedCacheTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String TARBALL = "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz";
    private static final String PACKAGE_JSON = "{\"name\": \"padded\", \"version\": \"1.0.0\", \"scripts\": {\"build\": \"node build.js\"}, "
            + "\"dependencies\": {\"left-pad\": \"1.3.0\"}}";
    private static final String LOCKFILE = """
            {"name": "padded", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
             "packages": {"": {"name": "padded", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}},
                          "node_modules/left-pad": {"version": "1.3.0", "resolved": "%s",
                            "integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQGinBN9yTQT3bFlCBy/aVx2HrNcqQGsdot8ghrjyrvMCoEA=="}}}
            """.formatted(TARBALL);
    private static final String BUILD_JS = """
            const fs = require('fs');
            fs.mkdirSync('dist', {recursive: true});
            fs.writeFileSync('dist/index.html', require('left-pad')('x', 3, '0'));
            """;

    @TempDir
    static Path temp;
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().plugins(host -> {
        host.register(new NpmBuilder());
        host.register(new FakeStorage());
    });

    @BeforeAll
    static void registryReachable() {
        RequiredTools.assumeInstalled("node", "npm");
        NpmRegistry.assumeReachable(TARBALL, "the shared cache tests");
    }

    private static JsonObject deploy(String name, String buildCommand) throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve(name))) {
            repo.write("package.json", PACKAGE_JSON).write("package-lock.json", LOCKFILE).write("build.js", BUILD_JS).commit(name);
            JsonObject settings = new JsonObject().put("builder", "npm");
            if (buildCommand != null) {
                settings.put("build_command", buildCommand);
            }
            long projectId = kiln.createProject(name, repo.url(), settings).getLong("id");
            // npm names every download at this level; not a secret, so the log shows it as it is.
            kiln.admin("POST", "/projects/" + projectId + "/env-vars",
                    new JsonObject().put("key", "npm_config_loglevel").put("value", "http").put("is_secret", false));
            return kiln.awaitStatus(projectId, kiln.trigger(projectId).getLong("id"), WAIT, "deployed", "failed");
        }
    }

    private static String logs(JsonObject deployment) throws Exception {
        return kiln.admin("GET", "/projects/" + deployment.getLong("project_id") + "/deployments/" + deployment.getLong("id") + "/logs", null)
                .data().getString("build_logs");
    }

    private static String page(JsonObject deployment) throws Exception {
        return kiln.get(deployment.getString("deployment_url")).body();
    }

    private static List<Path> stored() throws Exception {
        Path store = kiln.dataDirectory().resolve("cache/shared");
        if (!Files.isDirectory(store)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(store)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void theSecondProjectDownloadsNothingAndABuildCannotPoisonTheStore() throws Exception {
        JsonObject first = deploy("first", null);
        assertThat(first.getString("status")).as(first.encode()).isEqualTo("deployed");
        assertThat(logs(first)).contains("npm http fetch GET 200 " + TARBALL, "[kiln] shared package cache: 1 new files stored");
        assertThat(stored()).hasSize(1);
        Path tarball = stored().get(0);
        byte[] genuine = Files.readAllBytes(tarball);

        JsonObject second = deploy("second", null);
        assertThat(second.getString("status")).as(second.encode()).isEqualTo("deployed");
        // npm's own account: the tarball came from the cache, nothing from the network.
        assertThat(logs(second)).contains("(cache hit)", "[kiln] shared package cache: 1 files").doesNotContain("http fetch GET");
        assertThat(page(second)).isEqualTo("00x");
        if ("root".equals(System.getProperty("user.name"))) {
            // Stored once: the store's file and both projects' entries are one inode.
            assertThat(((Number) Files.getAttribute(tarball, "unix:nlink")).intValue()).isEqualTo(3);
        }

        // A hostile build replaces its cache entry with other content and plants a forged one.
        JsonObject hostile = deploy("hostile", "npm ci >/dev/null && for f in $(find \"$npm_config_cache/_cacache/content-v2\" -type f); do "
                + "rm -f \"$f\"; echo evil > \"$f\"; done && mkdir -p \"$npm_config_cache/_cacache/content-v2/sha512/00/11\" && "
                + "echo forged > \"$npm_config_cache/_cacache/content-v2/sha512/00/11/2233\" && node build.js");
        assertThat(hostile.getString("status")).as(hostile.encode()).isEqualTo("deployed");
        assertThat(logs(hostile)).contains("2 files whose content does not match their name were not shared");
        assertThat(stored()).containsExactly(tarball);
        assertThat(Files.readAllBytes(tarball)).isEqualTo(genuine);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(genuine)))
                .isEqualTo(tarball.getParent().getParent().getFileName().toString() + tarball.getParent().getFileName() + tarball.getFileName());

        JsonObject after = deploy("after", null);
        assertThat(after.getString("status")).as(after.encode()).isEqualTo("deployed");
        assertThat(logs(after)).contains("(cache hit)").doesNotContain("http fetch GET");
        assertThat(page(after)).isEqualTo("00x");
    }
}
