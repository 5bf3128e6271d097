package dev.kiln.core.plugins;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;

/**
 * The plugins directory: plugin files ({@code *.jar}, PF4J {@code *.zip}), {@code disabled.txt}
 * (one disabled plugin id a line, PF4J's own format), zips expanded into {@code .expanded/} and
 * uploads staged in {@code .staging/}.
 */
final class PluginDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(PluginDirectory.class);
    private static final String DISABLED_FILE = "disabled.txt";

    private final Path root;

    PluginDirectory(Path root) {
        this.root = root;
    }

    Path staging() {
        return root.resolve(".staging");
    }

    Path expanded() {
        return root.resolve(".expanded");
    }

    List<Path> pluginFiles() {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .filter(file -> {
                        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                        return name.endsWith(".jar") || name.endsWith(".zip");
                    })
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            LOG.warn("Cannot list plugins in {}: {}", root, e.getMessage());
            return List.of();
        }
    }

    Set<String> readDisabled() {
        Path file = root.resolve(DISABLED_FILE);
        if (!Files.exists(file)) {
            return new TreeSet<>();
        }
        try {
            Set<String> ids = new TreeSet<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String id = line.trim();
                if (!id.isEmpty() && !id.startsWith("#")) {
                    ids.add(id);
                }
            }
            return ids;
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}", file, e.getMessage());
            return new TreeSet<>();
        }
    }

    void writeDisabled(String id, boolean disabled) {
        Set<String> ids = readDisabled();
        boolean changed = disabled ? ids.add(id) : ids.remove(id);
        if (!changed) {
            return;
        }
        Path file = root.resolve(DISABLED_FILE);
        try {
            Files.createDirectories(root);
            Path temporary = root.resolve("." + DISABLED_FILE + ".tmp");
            StringBuilder text = new StringBuilder("# plugins Kiln does not load, one id a line\n");
            ids.forEach(line -> text.append(line).append('\n'));
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL_ERROR, "could not write " + file + ": " + e.getMessage());
        }
    }
}
