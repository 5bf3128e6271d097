package dev.kiln.plugin.npm;

import dev.kiln.core.testing.BuildRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.kiln.core.pipeline.ProcessCommandRunner;
import dev.kiln.core.testing.RequiredTools;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;

/** The builder run directly with real node and npm, on fixtures that need no registry. */
class NpmBuilderTest {

    /** Writes dist/index.html, as a real framework's build would. */
    static final String BUILD_JS = """
            const fs = require('fs');
            fs.mkdirSync('dist', {recursive: true});
            fs.writeFileSync('dist/index.html', '<h1>built on ' + (process.env.KILN_BRANCH || 'a laptop') + '</h1>');
            """;

    /** A lockfile of a package with no dependencies is complete, so `npm ci` needs no registry. */
    static final String LOCKFILE = """
            {"name": "locked", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
             "packages": {"": {"name": "locked", "version": "1.0.0"}}}
            """;

    @TempDir
    Path temp;
    BuildRun run;
    final NpmBuilder builder = new NpmBuilder();

    @BeforeEach
    void setUp() throws Exception {
        run = new BuildRun(temp);
    }

    private static String packageJson(String name, String members) {
        return "{\"name\": \"" + name + "\", \"version\": \"1.0.0\", \"private\": true" + (members.isEmpty() ? "" : ", " + members) + "}";
    }

    @Test
    void buildScriptRunsAfterInstallAndItsDistIsDeployed() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("plain", "\"scripts\": {\"build\": \"node build.js\"}")).write("build.js", BUILD_JS);

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("dist"));
        assertThat(output.framework()).isEqualTo("npm");
        assertThat(Files.readString(output.directory().resolve("index.html"))).isEqualTo("<h1>built on a laptop</h1>");
        assertThat(run.lines()).containsSubsequence(
                "[kiln] package manager: npm (no lockfile)",
                "[kiln] framework: none recognised",
                "[kiln] node: node --version",
                "[kiln] install: npm install",
                "[kiln] build: npm run build",
                "[kiln] output: dist");
        // Tool output reaches the log: node's version, npm's banner for the script.
        assertThat(run.lines()).anyMatch(line -> line.matches("v\\d+\\.\\d+\\.\\d+"));
        assertThat(run.lines()).contains("> node build.js");
        assertThat(run.log()).doesNotContain("warning", "Unknown env config");
    }

    @Test
    void aLockfileIsInstalledWithNpmCi() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("locked", "\"scripts\": {\"build\": \"node build.js\"}"))
                .write("package-lock.json", LOCKFILE).write("build.js", BUILD_JS);

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("dist"));
        assertThat(run.lines()).containsSubsequence("[kiln] package manager: npm (package-lock.json)", "[kiln] install: npm ci",
                "[kiln] build: npm run build");
    }

    @Test
    void commandsRunWithTheCacheQuietSettingsAndTheProjectsToolsOnThePath() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("tools", "")).write("node_modules/.bin/greet", "#!/bin/sh\necho \"hello from $0\"\n");
        Files.setPosixFilePermissions(run.source().resolve("node_modules/.bin/greet"), PosixFilePermissions.fromString("rwxr-xr-x"));
        // The project's env wins over the builder's quiet defaults.
        run.env("npm_config_fund", "true").settings("echo installing with $npm_config_cache",
                "greet && echo \"fund=$npm_config_fund audit=$npm_config_audit notifier=$npm_config_update_notifier yarn=$YARN_CACHE_FOLDER\""
                        + " && mkdir -p site && echo custom > site/index.html",
                "site", Map.of());

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("site"));
        assertThat(run.lines()).containsSubsequence(
                "[kiln] install: echo installing with $npm_config_cache",
                "installing with " + run.cache().resolve("npm-cache"),
                "[kiln] build: greet && echo \"fund=$npm_config_fund audit=$npm_config_audit notifier=$npm_config_update_notifier "
                        + "yarn=$YARN_CACHE_FOLDER\" && mkdir -p site && echo custom > site/index.html",
                "hello from " + run.source().resolve("node_modules/.bin/greet"),
                "fund=true audit=false notifier=false yarn=" + run.cache().resolve("yarn-cache"),
                "[kiln] output: site");
        assertThat(run.log()).doesNotContain("npm install", "npm run build");
    }

    @Test
    void aFrameworksOutputIsDeployedNotItsPublicSourceFolder() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        // Vite copies public/ into dist/; deploying public/ itself would lose the built pages.
        run.write("package.json", packageJson("vite-site", "\"scripts\": {\"build\": \"node build.js\"}, \"devDependencies\": {\"vite\": \"^5.0.0\"}"))
                .write("build.js", BUILD_JS).write("public/favicon.svg", "<svg/>")
                // The fixture cannot download vite, so its install step is the project's own.
                .settings("echo dependencies are vendored", null, null, Map.of());

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve("dist"));
        assertThat(output.framework()).isEqualTo("vite");
        assertThat(run.lines()).contains("[kiln] framework: vite", "[kiln] install: echo dependencies are vendored", "dependencies are vendored");
    }

    @Test
    void anUnknownProjectsOutputIsTheFirstCommonFolderThatExists() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("custom", "\"scripts\": {\"build\": \"mkdir -p build && echo b > build/index.html\"}"))
                .write("public/robots.txt", "");

        assertThat(run.build(builder).directory()).isEqualTo(run.source().resolve("build"));
    }

    @Test
    void nuxtIsGeneratedRatherThanBuiltForAServer() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("nuxt-site", "\"scripts\": {\"build\": \"exit 9\", "
                        + "\"generate\": \"mkdir -p .output/public && echo nuxt > .output/public/index.html\"}, "
                        + "\"devDependencies\": {\"nuxt\": \"^3.8.0\"}"))
                .settings("true", null, null, Map.of());

        BuildOutput output = run.build(builder);

        assertThat(output.directory()).isEqualTo(run.source().resolve(".output/public"));
        assertThat(output.framework()).isEqualTo("nuxt");
        assertThat(run.lines()).contains("[kiln] build: npm run generate");
    }

    @Test
    void withoutABuildScriptTheBuildFailsBeforeRunningAnything() throws Exception {
        run.write("package.json", packageJson("no-build", "\"scripts\": {\"test\": \"node test.js\"}"));

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessage("package.json has no \"build\" script: add one (for example \"build\": \"vite build\") "
                        + "or set the project's build_command");
        assertThat(run.log()).doesNotContain("install:");
    }

    @Test
    void aFailingBuildReportsItsExitCodeAndLastLines() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("failing", "\"scripts\": {\"build\": \"node fail.js\"}"))
                .write("fail.js", "console.log('compiling'); console.error('error: unexpected token'); process.exit(3);");

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessageStartingWith("`npm run build` exited with code 3; last lines:")
                .hasMessageContaining("error: unexpected token");
        assertThat(run.lines()).contains("compiling", "error: unexpected token");
    }

    @Test
    void aBuildThatWritesNoOutputSaysWhereItLooked() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("empty", "\"scripts\": {\"build\": \"echo nothing to do\"}"));

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessage("the build wrote none of dist, build, out, public; "
                        + "set the project's output_directory to the folder the build writes the site to");
    }

    @Test
    void nextWithoutStaticExportGetsAHint() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("next-site", "\"scripts\": {\"build\": \"mkdir -p .next\"}, \"dependencies\": {\"next\": \"14.0.0\"}"))
                .settings("true", null, null, Map.of());

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessageStartingWith("the build wrote none of out; Next.js writes a static site to 'out' only with `output: 'export'`");
    }

    @Test
    void aConfiguredOutputDirectoryMustExistInsideTheRepository() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("configured", "\"scripts\": {\"build\": \"node build.js\"}")).write("build.js", BUILD_JS)
                .settings(null, null, "www", Map.of());
        assertThatThrownBy(() -> run.build(builder)).hasMessage("output_directory 'www' does not exist after the build");

        run.settings(null, null, "../..", Map.of());
        assertThatThrownBy(() -> run.build(builder)).hasMessage("output_directory '../..' is outside the repository");
        // Refused before anything ran: only the first build ran the build script.
        assertThat(run.lines()).filteredOn("[kiln] build: npm run build"::equals).hasSize(1);
    }

    @Test
    void aYarnLockWithoutYarnOnTheNodeFailsClearly() throws Exception {
        Path emptyBin = Files.createDirectories(temp.resolve("empty-bin"));
        run.write("package.json", packageJson("yarn-site", "\"scripts\": {\"build\": \"node build.js\"}")).write("yarn.lock", "")
                .env("PATH", emptyBin.toString());

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessageStartingWith("this project has a yarn.lock but yarn is not installed on this node; install it there");
    }

    @Test
    void theProjectsOwnCommandsNeedNoYarn() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        // A PATH with only what the commands need, so that yarn is missing whatever this machine has.
        Path bin = Files.createDirectories(temp.resolve("bin"));
        for (String program : new String[] {"sh", "mkdir", "node"}) {
            Files.createSymbolicLink(bin.resolve(program), ProcessCommandRunner.findOnPath(program, System.getenv("PATH")).orElseThrow());
        }
        run.write("package.json", packageJson("yarn-site", "")).write("yarn.lock", "")
                .env("PATH", bin.toString())
                .settings("true", "mkdir -p dist", null, Map.of());
        assertThat(run.build(builder).directory()).isEqualTo(run.source().resolve("dist"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "yarn | yarn.lock      | yarn install --frozen-lockfile",
        "pnpm | pnpm-lock.yaml | pnpm install --frozen-lockfile --store-dir",
    })
    void yarnAndPnpmInstallAndBuildWhenTheirLockfileIsThere(String tool, String lockfile, String install) throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        // Stand-ins for the real tools, which this machine need not have: they print how they were called.
        Path bin = Files.createDirectories(temp.resolve("fake-bin"));
        Path fake = bin.resolve(tool);
        Files.writeString(fake, "#!/bin/sh\necho \"fake " + tool + " $*\"\nif [ \"$1\" = run ]; then mkdir -p dist && echo " + tool
                + " > dist/index.html; fi\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        run.write("package.json", packageJson("site", "\"scripts\": {\"build\": \"node build.js\"}")).write(lockfile, "")
                // A leftover npm lockfile: the stricter tool's wins, with a warning.
                .write("package-lock.json", LOCKFILE)
                .env("PATH", bin + ":" + System.getenv("PATH"));

        BuildOutput output = run.build(builder);

        assertThat(Files.readString(output.directory().resolve("index.html"))).isEqualTo(tool + "\n");
        assertThat(run.lines()).containsSubsequence(
                "[kiln] package manager: " + tool + " (" + lockfile + ")",
                "[kiln] warning: several lockfiles (" + lockfile + ", package-lock.json); installing with " + lockfile
                        + ". Delete the others so every tool agrees on the dependencies.",
                "[kiln] install: " + install + (tool.equals("pnpm") ? " " + run.cache().resolve("pnpm-store") : ""),
                "[kiln] build: " + tool + " run build",
                "fake " + tool + " run build");
    }

    @Test
    void aNodeVersionThatFitsOrCannotBeReadKeepsTheInstalledNode() throws Exception {
        RequiredTools.assumeInstalled("node", "npm");
        run.write("package.json", packageJson("fits", "\"scripts\": {\"build\": \"node build.js\"}, \"engines\": {\"node\": \">=12\"}"))
                .write("build.js", BUILD_JS);

        run.build(builder);

        assertThat(run.log()).doesNotContain("warning", "Unknown env config", "fetching");
        assertThat(run.lines()).anyMatch(line -> line.matches("\\[kiln] node v\\d+\\.\\d+\\.\\d+ fits package\\.json engines\\.node '>=12'"));

        BuildRun alias = new BuildRun(temp.resolve("alias"));
        alias.write("package.json", packageJson("alias", "\"scripts\": {\"build\": \"node build.js\"}, \"engines\": {\"node\": \">=999\"}"))
                .write("build.js", BUILD_JS).write(".node-version", "# comment\nlts/*\n");
        alias.build(builder);
        // The version file wins over engines.node; an alias is not resolved, and nothing is fetched.
        assertThat(alias.lines()).contains("[kiln] .node-version 'lts/*' is a version or alias Kiln cannot read; building with the installed node");
    }

    @Test
    void aNodeVersionInTheToolCacheIsUsedWithoutTheRegistry() throws Exception {
        // A stand-in for a Node fetched earlier: the tool cache is looked at before the registry.
        Path fakeNode = run.cache().resolveSibling("tools/node/v7.1.2/bin/node");
        Files.createDirectories(fakeNode.getParent());
        Files.writeString(fakeNode, "#!/bin/sh\necho v7.1.2\n");
        Files.setPosixFilePermissions(fakeNode, PosixFilePermissions.fromString("rwxr-xr-x"));
        run.write("package.json", packageJson("old", "")).write(".nvmrc", "7")
                .settings("node --version", "mkdir -p dist && echo old > dist/index.html", null, Map.of());

        run.build(builder);

        assertThat(run.lines()).containsSubsequence(
                "[kiln] node: node --version",
                "[kiln] node: node --version",
                "v7.1.2",
                "[kiln] install: node --version",
                "v7.1.2");
        assertThat(run.lines()).anyMatch(line -> line.matches(
                "\\[kiln] \\.nvmrc asks for node '7' but this node runs v\\d+\\.\\d+\\.\\d+; using node v7\\.1\\.2 from this node's tool cache"));
        // The builder option wins over .nvmrc: a version this node runs needs nothing.
        BuildRun option = new BuildRun(temp.resolve("option")).tools(run.cache().resolveSibling("tools"));
        option.write("package.json", packageJson("old", "")).write(".nvmrc", "7")
                .settings("node --version", "mkdir -p dist && echo new > dist/index.html", null, Map.of("node_version", ">=8"));
        option.build(builder);
        assertThat(option.log()).doesNotContain("v7.1.2").contains("fits the builder option node_version '>=8'");
    }

    @Test
    void aBrokenPackageJsonFailsWithWhereItIsBroken() throws Exception {
        run.write("package.json", "{\n  \"name\": \"broken\",\n  \"scripts\": {\"build\": \"vite build\"},\n}\n");

        assertThatThrownBy(() -> run.build(builder)).isInstanceOf(BuildException.class)
                .hasMessage("package.json is not valid: expected a member name in double quotes at line 4, column 1");
    }
}
