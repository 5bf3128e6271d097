package dev.kiln.core.plugins;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.FileTrees;
import dev.kiln.core.KilnException;

/**
 * Finds the plugins to load at start-up: those of the installation's directory (less the ones an
 * administrator removed) and those installed through the API into the node's own directory. When
 * a plugin id appears twice, the newer version wins.
 */
final class PluginScan {

    private static final Logger LOG = LoggerFactory.getLogger(PluginScan.class);

    private final Path installationDirectory;
    private final PluginDirectory own;
    private final ArchiveLimits limits;

    PluginScan(Path installationDirectory, PluginDirectory own, ArchiveLimits limits) {
        this.installationDirectory = installationDirectory;
        this.own = own;
        this.limits = limits;
    }

    List<InstalledPlugin> scan() {
        FileTrees.delete(own.staging());
        FileTrees.delete(own.expanded());
        Set<String> removed = own.readRemoved();
        Map<String, InstalledPlugin> found = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        boolean sameDirectory = installationDirectory.toAbsolutePath().normalize().equals(own.root().toAbsolutePath().normalize());
        if (!sameDirectory) {
            files.addAll(PluginDirectory.pluginFiles(installationDirectory));
        }
        files.addAll(PluginDirectory.pluginFiles(own.root()));
        for (Path file : files) {
            boolean bundled = !sameDirectory && file.startsWith(installationDirectory);
            InstalledPlugin plugin;
            try {
                plugin = inspect(file, bundled);
            } catch (KilnException | IOException e) {
                LOG.warn("Ignoring plugin file {}: {}", file, e.getMessage());
                continue;
            }
            if (bundled && removed.contains(plugin.id())) {
                LOG.info("Not loading plugin '{}' from {}: it was removed", plugin.id(), file);
                continue;
            }
            InstalledPlugin other = found.get(plugin.id());
            if (other != null) {
                boolean newer = PluginArchive.VERSIONS.compareVersions(plugin.version(), other.version()) > 0;
                InstalledPlugin ignored = newer ? other : plugin;
                LOG.info("Plugin '{}' is there twice; using version {}, not {} ({})", plugin.id(),
                        (newer ? plugin : other).version(), ignored.version(), ignored.file);
                if (!newer) {
                    continue;
                }
            }
            found.put(plugin.id(), plugin);
        }
        return new ArrayList<>(found.values());
    }

    private InstalledPlugin inspect(Path file, boolean bundled) throws IOException {
        PluginArchive.checkEntries(file);
        String name = file.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".zip")) {
            Path expandedTo = own.expanded().resolve((bundled ? "bundled-" : "") + name.substring(0, name.length() - ".zip".length()));
            FileTrees.delete(expandedTo);
            PluginArchive.expand(file, expandedTo, limits);
            return new InstalledPlugin(PluginArchive.descriptor(expandedTo), file, expandedTo, bundled);
        }
        return new InstalledPlugin(PluginArchive.descriptor(file), file, file, bundled);
    }
}
