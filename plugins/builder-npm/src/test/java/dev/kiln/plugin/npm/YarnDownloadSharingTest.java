package dev.kiln.plugin.npm;

import static dev.kiln.plugin.npm.NumberedProject.BUILD_JS;
import static dev.kiln.plugin.npm.NumberedProject.PACKAGE_JSON;
import static dev.kiln.plugin.npm.NumberedProject.TARBALL;
import static dev.kiln.plugin.npm.NumberedProject.YARN_LOCK;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.testing.FakeStorage;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/**
 * With real yarn 1: a package one project downloaded is installed by the next project with the same
 * dependencies without any download (yarn's {@code --offline} would fail otherwise), and a build
 * that forges the tarballs in its cache changes nothing another project gets. Needs the npm
 * registry: skipped where it cannot be reached, except in CI.
 */
class YarnDownloadSharingTest {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String OFFLINE = "yarn install --frozen-lockfile --offline";

    @TempDir
    static Path temp;
    static TestKiln kiln;

    @BeforeAll
    static void start() throws Exception {
        RequiredTools.assumeInstalled("node", "yarn");
        NpmRegistry.assumeReachable(TARBALL, "the yarn download sharing test");
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

    private record Deployed(JsonObject deployment, String log) {
    }

    private static Deployed deploy(String name, JsonObject settings) throws Exception {
        try (GitRepo repo = GitRepo.create(temp.resolve(name))) {
            repo.write("package.json", PACKAGE_JSON).write("yarn.lock", YARN_LOCK).write("build.js", BUILD_JS).commit(name);
            long projectId = kiln.createProject(name, repo.url(), settings.copy().put("builder", "npm")).getLong("id");
            JsonObject deployment = kiln.awaitStatus(projectId, kiln.trigger(projectId).getLong("id"), WAIT, "deployed", "failed");
            String log = kiln.api("GET", "/projects/" + projectId + "/deployments/" + deployment.getLong("id") + "/logs?format=text",
                    TestKiln.ADMIN, null).body();
            assertThat(deployment.getString("status")).as(log).isEqualTo("deployed");
            return new Deployed(deployment, log);
        }
    }

    @Test
    void theSecondProjectDownloadsNothingAndAForgedTarballIsNotShared() throws Exception {
        Deployed first = deploy("first", new JsonObject());
        assertThat(first.log()).contains("[kiln] yarn: 0 of the 1 tarballs yarn.lock names come from this node's store; yarn downloads the others",
                "[kiln] shared package cache: 1 new files stored for every project on this node");
        // Offline, yarn fails on any package it would have to download.
        assertThat(first.log()).doesNotContainPattern("(?i)\\bwarn");

        Deployed second = deploy("second", new JsonObject().put("install_command", OFFLINE));
        assertThat(second.log()).contains("[kiln] yarn: 1 of the 1 tarballs yarn.lock names come from this node's store", "[kiln] install: " + OFFLINE);
        assertThat(kiln.get(second.deployment().getString("deployment_url")).body()).isEqualTo("true");

        // A hostile build replaces its copies of the tarball and plants a forged one.
        Deployed hostile = deploy("hostile", new JsonObject().put("build_command",
                "for f in $(find \"$YARN_YARN_OFFLINE_MIRROR\" \"$(dirname \"$YARN_YARN_OFFLINE_MIRROR\")/yarn-tarballs\" -type f); do "
                + "rm -f \"$f\"; echo evil > \"$f\"; done && mkdir -p \"$(dirname \"$YARN_YARN_OFFLINE_MIRROR\")/yarn-tarballs/sha1/00/11\" && "
                + "echo forged > \"$(dirname \"$YARN_YARN_OFFLINE_MIRROR\")/yarn-tarballs/sha1/00/11/223344556677889900112233445566778899\" && node build.js"));
        assertThat(hostile.log()).contains("2 files whose content does not match their name were not shared");

        Deployed after = deploy("after", new JsonObject().put("install_command", OFFLINE));
        assertThat(after.log()).contains("[kiln] yarn: 1 of the 1 tarballs yarn.lock names come from this node's store");
        assertThat(kiln.get(after.deployment().getString("deployment_url")).body()).isEqualTo("true");
    }
}
