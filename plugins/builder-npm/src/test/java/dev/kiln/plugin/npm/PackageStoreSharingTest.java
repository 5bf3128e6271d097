package dev.kiln.plugin.npm;

import static dev.kiln.plugin.npm.NumberedProject.BUILD_JS;
import static dev.kiln.plugin.npm.NumberedProject.PACKAGE_JSON;
import static dev.kiln.plugin.npm.NumberedProject.TARBALL;
import static dev.kiln.plugin.npm.NumberedProject.YARN_LOCK;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/**
 * yarn 1's cache and pnpm's store, with the real tools: projects with the same dependencies keep
 * each package file once on the node (read-only links to one copy), a build that replaces its
 * cached copy of a package does not change what another project gets, and Kiln's settings cause
 * no warnings in the tools' output. Needs the npm registry: skipped where it cannot be reached,
 * except in CI.
 */
class PackageStoreSharingTest {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String PNPM_LOCK = """
            lockfileVersion: '9.0'

            settings:
              autoInstallPeers: true
              excludeLinksFromLockfile: false

            importers:

              .:
                dependencies:
                  is-number:
                    specifier: 7.0.0
                    version: 7.0.0

            packages:

              is-number@7.0.0:
                resolution: {integrity: sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==}
                engines: {node: '>=0.12.0'}

            snapshots:

              is-number@7.0.0: {}
            """;
    /** A line of is-number's index.js, and of no other file of the package. */
    private static final String INDEX_MARK = "num - num === 0";

    @TempDir
    static Path temp;
    static TestKiln kiln;

    @BeforeAll
    static void start() throws Exception {
        RequiredTools.assumeInstalled("node", "npm", "yarn", "pnpm");
        NpmRegistry.assumeReachable(TARBALL, "the yarn and pnpm store tests");
        kiln = TestKiln.start(temp.resolve("data"), TestDatabase.freshDatabase(), host -> {
            host.register(new NpmBuilder());
            host.register(new FakeStorage());
        });
    }

    @AfterAll
    static void stop() {
        if (kiln != null) {
            kiln.close();
        }
    }

    private record Deployed(JsonObject deployment, long projectId, String log) {
    }

    private static Deployed deploy(String name, String tool, String buildCommand) throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve(name))) {
            repo.write("package.json", PACKAGE_JSON).write("build.js", BUILD_JS)
                    .write(tool.equals("yarn") ? "yarn.lock" : "pnpm-lock.yaml", tool.equals("yarn") ? YARN_LOCK : PNPM_LOCK).commit(name);
            JsonObject settings = new JsonObject().put("builder", "npm");
            if (buildCommand != null) {
                settings.put("build_command", buildCommand);
            }
            long projectId = kiln.createProject(name, repo.url(), settings).getLong("id");
            JsonObject deployment = kiln.awaitStatus(projectId, kiln.trigger(projectId).getLong("id"), WAIT, "deployed", "failed");
            String log = kiln.api("GET", "/projects/" + projectId + "/deployments/" + deployment.getLong("id") + "/logs?format=text",
                    TestKiln.ADMIN, null).body();
            assertThat(deployment.getString("status")).as(log).isEqualTo("deployed");
            return new Deployed(deployment, projectId, log);
        }
    }

    private static Deployed redeploy(long projectId) throws Exception {
        JsonObject deployment = kiln.awaitStatus(projectId, kiln.trigger(projectId).getLong("id"), WAIT, "deployed", "failed");
        String log = kiln.api("GET", "/projects/" + projectId + "/deployments/" + deployment.getLong("id") + "/logs?format=text",
                TestKiln.ADMIN, null).body();
        assertThat(deployment.getString("status")).as(log).isEqualTo("deployed");
        return new Deployed(deployment, projectId, log);
    }

    /** The package's files in a project's cache: yarn's unpacked package (without yarn's own files), or pnpm's content files. */
    private static List<Path> packageFiles(long projectId, String tool) throws Exception {
        Path cache = temp.resolve("data/cache/project-" + projectId + "/npm/" + (tool.equals("yarn") ? "yarn-cache" : "pnpm-store"));
        try (Stream<Path> files = Files.walk(cache)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> tool.equals("yarn")
                            ? file.toString().contains("npm-is-number-7.0.0-") && !file.getFileName().toString().startsWith(".yarn-")
                            : file.getParent().getParent().getFileName().toString().equals("files"))
                    .sorted().toList();
        }
    }

    private static Path sameFileIn(List<Path> files, Path wanted) throws Exception {
        for (Path file : files) {
            if (Files.isSameFile(file, wanted)) {
                return file;
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"yarn", "pnpm"})
    void identicalPackagesAreKeptOnceAndAReplacedCopyStaysItsProjects(String tool) throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "Kiln keeps one copy only when it runs as root");
        Deployed first = deploy(tool + "-first", tool, null);
        assertThat(first.log()).contains("[kiln] package manager: " + tool + " (" + (tool.equals("yarn") ? "yarn.lock" : "pnpm-lock.yaml") + ")")
                .containsPattern("\\[kiln] package cache: [1-9]\\d* files now kept once on this node");
        assertThat(kiln.get(first.deployment().getString("deployment_url")).body()).isEqualTo("true");
        // No warning in the install's output, in particular none about a setting Kiln adds (store-dir, cache).
        String install = first.log().substring(first.log().indexOf("[kiln] install: "), first.log().indexOf("[kiln] build: "));
        assertThat(install.lines().filter(line -> line.matches("(?i).*\\bwarn(ing)?\\b.*"))).as(install).isEmpty();

        Deployed second = deploy(tool + "-second", tool, null);
        List<Path> firstFiles = packageFiles(first.projectId(), tool);
        List<Path> secondFiles = packageFiles(second.projectId(), tool);
        assertThat(firstFiles).isNotEmpty().hasSameSizeAs(secondFiles);
        // Stored once: every file of the package in the second project is the first project's inode, read-only.
        for (Path file : secondFiles) {
            assertThat(sameFileIn(firstFiles, file)).as(file.toString()).isNotNull();
            assertThat(Files.getPosixFilePermissions(file).stream().map(Enum::name)).noneMatch(name -> name.endsWith("_WRITE"));
        }
        Path index = firstFiles.stream().filter(file -> readable(file).contains(INDEX_MARK)).findFirst().orElseThrow();
        String genuine = Files.readString(index);

        // A hostile build of the second project, whose cache now holds read-only links, tries to write
        // through them (the sandbox's user may not), then replaces them (as a build may: the folder is its own).
        String cache = tool.equals("yarn") ? "$YARN_CACHE_FOLDER" : "\"$(dirname \"$npm_config_cache\")/pnpm-store\"";
        kiln.admin("PATCH", "/projects/" + second.projectId(), new JsonObject().put("build_command",
                "for f in $(grep -rl '" + INDEX_MARK + "' " + cache + "); do "
                + "(echo 'module.exports = () => \"forged\";' >> \"$f\") 2>/dev/null && echo WROTE\"-\"THROUGH; rm -f \"$f\"; "
                + "echo 'module.exports = () => \"forged\";' > \"$f\"; done; node build.js"));
        Deployed hostile = redeploy(second.projectId());
        assertThat(hostile.log()).contains("[kiln] build: for f in").doesNotContain("WROTE-THROUGH");
        List<Path> hostileFiles = packageFiles(second.projectId(), tool);
        Path forged = hostileFiles.stream().filter(file -> readable(file).contains("forged")).findFirst().orElseThrow();
        assertThat(sameFileIn(firstFiles, forged)).isNull();
        assertThat(Files.readString(index)).isEqualTo(genuine);

        // The next project gets the genuine package, and its copy joins the genuine one.
        Deployed after = deploy(tool + "-after", tool, null);
        assertThat(kiln.get(after.deployment().getString("deployment_url")).body()).isEqualTo("true");
        List<Path> afterFiles = packageFiles(after.projectId(), tool);
        assertThat(afterFiles).noneMatch(file -> readable(file).contains("forged"));
        assertThat(sameFileIn(afterFiles, index)).isNotNull();
        assertThat(sha256(Files.readAllBytes(index))).isEqualTo(sha256(genuine.getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        // The next build of a project whose cache is now read-only links installs as before.
        Deployed again = redeploy(first.projectId());
        assertThat(kiln.get(again.deployment().getString("deployment_url")).body()).isEqualTo("true");
    }

    private static String readable(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "";
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
