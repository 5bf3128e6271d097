package dev.kiln.core.plugins;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.Settings;
import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;

/**
 * Creates storage targets from their factories, each with its own settings: the keys
 * {@code storage.<id>.<name>} reach the target {@code <id>} as {@code <name>}.
 */
final class StorageSettings {

    private static final Logger LOG = LoggerFactory.getLogger(StorageSettings.class);

    private final Settings settings;
    private final Path dataDirectory;

    StorageSettings(Settings settings, Path dataDirectory) {
        this.settings = settings;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Creates a target; one that cannot be created (not configured, for example) is put in
     * {@code problems} with why.
     */
    void create(String id, StorageTargetFactory factory, Map<String, StorageTarget> targets, Map<String, String> problems) {
        try {
            // A target gets its own settings and the variables it declared, nothing else of Kiln's.
            Map<String, String> environment = new LinkedHashMap<>();
            factory.environmentVariables().forEach(name -> {
                String value = System.getenv(name);
                if (value != null) {
                    environment.put(name, value);
                }
            });
            targets.put(id, factory.create(new StorageContext(dataDirectory, settings.withPrefix("storage." + id + "."), environment)));
        } catch (StorageException | RuntimeException | LinkageError e) {
            problems.put(id, e.getMessage());
            LOG.info("Storage target '{}' is not configured: {}", id, e.getMessage());
        }
    }
}
