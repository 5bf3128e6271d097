package dev.kiln.plugin.hugo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.kiln.plugin.api.Detection;

/** Detection reads files only; no tool runs. */
class HugoDetectionTest {

    @TempDir
    Path source;

    private final HugoBuilder builder = new HugoBuilder();

    private void write(String path, String content) throws Exception {
        Path file = source.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"})
    void hugosOwnConfigurationFileIsCertain(String name) throws Exception {
        write(name, "");
        assertThat(builder.detect(source)).contains(new Detection("hugo", 90));
    }

    @ParameterizedTest
    @ValueSource(strings = {"config/_default/hugo.toml", "config/_default/config.yaml"})
    void aConfigurationDirectoryIsAlmostCertain(String path) throws Exception {
        write(path, "title: x\n");
        assertThat(builder.detect(source)).contains(new Detection("hugo", 85));
    }

    @Test
    void aConfigTomlWithBaseUrlNextToContentIsHugo() throws Exception {
        write("config.toml", "title = \"Blog\"\nbaseURL = \"https://blog.example.org/\"\n");
        write("content/posts/first.md", "# first");
        assertThat(builder.detect(source)).contains(new Detection("hugo", 80));
    }

    @Test
    void aConfigYamlWithAThemeNextToThemesIsHugo() throws Exception {
        write("config.yaml", "title: Docs\ntheme: docsy\n");
        Files.createDirectories(source.resolve("themes"));
        assertThat(builder.detect(source)).contains(new Detection("hugo", 80));
    }

    @Test
    void aConfigJsonWithBaseUrlIsHugo() throws Exception {
        write("config.json", "{\n  \"baseURL\": \"https://example.org/\"\n}\n");
        write("layouts/index.html", "");
        assertThat(builder.detect(source)).contains(new Detection("hugo", 80));
    }

    @Test
    void anyOtherConfigTomlIsNot() throws Exception {
        // Zola, Netlify-style and app configs share the name.
        write("config.toml", "base_url = \"https://example.org\"\n[server]\nport = 8080\n");
        write("content/index.md", "# zola");
        assertThat(builder.detect(source)).isEmpty();
    }

    @Test
    void aBaseUrlWithoutAnySiteFolderIsNot() throws Exception {
        write("config.yaml", "baseUrl: http://api.example.org\n");
        assertThat(builder.detect(source)).isEmpty();
    }

    @Test
    void siteFoldersWithoutConfigurationAreAWeakSign() throws Exception {
        Files.createDirectories(source.resolve("content"));
        Files.createDirectories(source.resolve("layouts"));
        assertThat(builder.detect(source)).contains(new Detection("hugo", 30));
    }

    @Test
    void anythingElseIsNotHugo() throws Exception {
        write("index.html", "<h1>hi</h1>");
        Files.createDirectories(source.resolve("content"));
        assertThat(builder.detect(source)).isEmpty();
    }

    @Test
    void declaresTheToolItNeeds() {
        assertThat(builder.id()).isEqualTo("hugo");
        assertThat(builder.requiredTools()).containsExactly("hugo");
    }
}
