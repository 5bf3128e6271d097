package dev.kiln.plugin.npm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.kiln.plugin.api.Detection;

/** Detection reads package.json only; no tool runs. */
class NpmDetectionTest {

    @TempDir
    Path source;

    private final NpmBuilder builder = new NpmBuilder();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "\"vite\": \"^5.0.0\"                                       | vite",
        "\"astro\": \"^4.0.0\"                                      | astro",
        "\"@sveltejs/kit\": \"^2.0.0\", \"vite\": \"^5.0.0\"          | sveltekit",
        "\"react-scripts\": \"5.0.1\", \"react\": \"^18\"             | create-react-app",
        "\"@docusaurus/core\": \"3.0.0\", \"react\": \"^18\"          | docusaurus",
        "\"next\": \"14.0.0\", \"react\": \"^18\"                     | nextjs",
        "\"nuxt\": \"^3.8.0\", \"vue\": \"^3\"                        | nuxt",
        "\"gatsby\": \"^5.0.0\"                                     | gatsby",
        "\"@angular/core\": \"^17.0.0\"                             | angular",
        "\"vue\": \"^3\", \"@vue/cli-service\": \"^5\"                | vue-cli",
        "\"vue\": \"^3\", \"vite\": \"^5\"                            | vite",
        "\"vue\": \"^2\"                                            | vue",
        "\"vitepress\": \"^1.0.0\", \"vue\": \"^3\"                   | vitepress",
        "\"@11ty/eleventy\": \"^2.0.0\"                             | eleventy",
    })
    void recognisesFrameworksByTheirDependency(String devDependencies, String framework) throws Exception {
        Files.writeString(source.resolve("package.json"), "{\"name\": \"site\", \"devDependencies\": {" + devDependencies + "}}");
        assertThat(builder.detect(source)).contains(new Detection(framework, 70));
    }

    @Test
    void runtimeDependenciesCountToo() throws Exception {
        Files.writeString(source.resolve("package.json"), "{\"dependencies\": {\"gatsby\": \"^5.0.0\"}}");
        assertThat(builder.detect(source)).contains(new Detection("gatsby", 70));
    }

    @Test
    void anyOtherPackageJsonIsAPlainNpmProject() throws Exception {
        Files.writeString(source.resolve("package.json"), "{\"dependencies\": {\"react\": \"^18\"}, \"scripts\": {\"build\": \"x\"}}");
        assertThat(builder.detect(source)).contains(new Detection("npm", 60));
    }

    @Test
    void aBrokenPackageJsonIsStillAnNpmProject() throws Exception {
        Files.writeString(source.resolve("package.json"), "{\"name\": ");
        assertThat(builder.detect(source)).contains(new Detection("npm", 60));
    }

    @Test
    void noPackageJsonIsNotAnNpmProject() throws Exception {
        Files.writeString(source.resolve("index.html"), "<h1>hi</h1>");
        Files.createDirectories(source.resolve("package.json.d"));
        assertThat(builder.detect(source)).isEmpty();
    }

    @Test
    void declaresTheToolsItNeeds() {
        assertThat(builder.id()).isEqualTo("npm");
        assertThat(builder.requiredTools()).containsExactly("node", "npm");
    }
}
