package dev.kiln.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StoredFile;

/** The local storage target on a real directory. */
class LocalStorageTargetTest {

    @TempDir
    Path temp;

    private StorageTarget target() {
        return new LocalStorageFactory().create(new StorageContext(temp.resolve("data"), Map.of(), Map.of()));
    }

    private static String read(StoredFile file) throws Exception {
        try (InputStream in = file.openStream()) {
            return new String(in.readAllBytes());
        }
    }

    @Test
    void storesOpensReplacesAndDeletes() throws Exception {
        Path output = Files.createDirectories(temp.resolve("out/css"));
        Files.writeString(temp.resolve("out/index.html"), "one");
        Files.writeString(output.resolve("site.css"), "body{}");
        StorageTarget target = target();
        var stored = target.store("site/1", temp.resolve("out"));
        assertThat(stored.files()).isEqualTo(2);
        assertThat(stored.bytes()).isEqualTo(9);
        assertThat(read(target.open("site/1", "index.html").orElseThrow())).isEqualTo("one");
        assertThat(target.open("site/1", "css/site.css").orElseThrow().localPath()).isPresent();
        assertThat(target.open("site/1", "css")).isEmpty();
        assertThat(target.open("site/1", "missing.html")).isEmpty();
        assertThat(Files.exists(temp.resolve("data/artifacts/site/1/index.html"))).isTrue();

        Files.delete(output.resolve("site.css"));
        Files.writeString(temp.resolve("out/index.html"), "two");
        target.store("site/1", temp.resolve("out"));
        assertThat(read(target.open("site/1", "index.html").orElseThrow())).isEqualTo("two");
        assertThat(target.open("site/1", "css/site.css")).isEmpty();

        target.delete("site/1");
        assertThat(target.open("site/1", "index.html")).isEmpty();
        target.delete("site/1");
    }

    @Test
    void pathsAndLinksCannotEscapeTheArtifact() throws Exception {
        Files.createDirectories(temp.resolve("out"));
        Files.writeString(temp.resolve("secret.txt"), "secret");
        Files.writeString(temp.resolve("out/index.html"), "hi");
        Files.createSymbolicLink(temp.resolve("out/leak.txt"), temp.resolve("secret.txt"));
        StorageTarget target = target();
        target.store("site/2", temp.resolve("out"));
        assertThat(target.open("site/2", "leak.txt")).isEmpty();
        for (String path : new String[] {"../site/2/index.html", "/etc/passwd", "a\\b", "./index.html", ""}) {
            assertThat(target.open("site/2", path)).as(path).isEmpty();
        }
        assertThatThrownBy(() -> target.open("../x", "index.html")).isInstanceOf(StorageException.class);
    }
}
