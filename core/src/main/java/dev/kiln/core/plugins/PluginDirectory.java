package dev.kiln.core.plugins;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;

/**
 * The node's own plugin directory, {@code <data>/plugins}: plugin files installed through the API
 * ({@code *.jar}, PF4J {@code *.zip}), {@code disabled.txt} (one disabled plugin id a line, PF4J's
 * own format), {@code removed.txt} (plugins of the installation's directory that were removed, which
 * Kiln does not delete from there), zips expanded into {@code .expanded/} and uploads staged in
 * {@code .staging/}. The installation's {@code plugins/} directory is only read.
 */
final class PluginDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(PluginDirectory.class);
    private static final String DISABLED_FILE = "disabled.txt";
    private static final String REMOVED_FILE = "removed.txt";

    private final Path root;

    PluginDirectory(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path staging() {
        return root.resolve(".staging");
    }

    Path expanded() {
        return root.resolve(".expanded");
    }

    /** The plugin files in a directory, by name. */
    static List<Path> pluginFiles(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .filter(file -> {
                        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                        return name.endsWith(".jar") || name.endsWith(".zip");
                    })
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            LOG.warn("Cannot list plugins in {}: {}", directory, e.getMessage());
            return List.of();
        }
    }

    Set<String> readDisabled() {
        return readIds(DISABLED_FILE);
    }

    void writeDisabled(String id, boolean disabled) {
        writeId(DISABLED_FILE, "plugins Kiln does not load, one id a line", id, disabled);
    }

    Set<String> readRemoved() {
        return readIds(REMOVED_FILE);
    }

    void writeRemoved(String id, boolean removed) {
        writeId(REMOVED_FILE, "plugins of the installation's directory that were removed, one id a line", id, removed);
    }

    private Set<String> readIds(String name) {
        Path file = root.resolve(name);
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

    private void writeId(String name, String comment, String id, boolean present) {
        Set<String> ids = readIds(name);
        boolean changed = present ? ids.add(id) : ids.remove(id);
        if (!changed) {
            return;
        }
        Path file = root.resolve(name);
        try {
            Files.createDirectories(root);
            Path temporary = root.resolve("." + name + ".tmp");
            StringBuilder text = new StringBuilder("# " + comment + "\n");
            ids.forEach(line -> text.append(line).append('\n'));
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL_ERROR, "could not write " + file + ": " + e.getMessage());
        }
    }
}
