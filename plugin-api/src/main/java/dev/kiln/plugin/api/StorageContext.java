package dev.kiln.plugin.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What Kiln gives a storage target when it creates it.
 *
 * @param dataDirectory the node's data directory ({@code --data-dir}); a target may keep files
 *     under {@code dataDirectory/<target id>}
 * @param configuration the target's settings from Kiln's configuration, with the
 *     {@code storage.<id>.} prefix removed (for example {@code bucket}, {@code endpoint})
 * @param environment the variables of the process environment the target declared in
 *     {@link StorageTargetFactory#environmentVariables()}, for credentials given as variables
 */
public record StorageContext(Path dataDirectory, Map<String, String> configuration, Map<String, String> environment) {

    /**
     * Copies the maps.
     *
     * @param dataDirectory an absolute directory
     * @param configuration the target's settings
     * @param environment the process environment
     */
    public StorageContext {
        configuration = Map.copyOf(configuration);
        environment = Map.copyOf(environment);
    }

    /**
     * One setting.
     *
     * @param name the setting without prefix
     * @return its value, when set and not blank
     */
    public Optional<String> setting(String name) {
        return Optional.ofNullable(configuration.get(name)).filter(value -> !value.isBlank());
    }
}
