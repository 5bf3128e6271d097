package dev.kiln.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Kiln's settings ({@code conf/kiln.properties} and the like), read in one way everywhere: a
 * missing or blank value means the default; a value that is not what the key needs stops the
 * server with a message naming the key, instead of being ignored.
 */
public final class Settings {

    private final Map<String, String> values;

    /**
     * Reads a settings file in the {@code .properties} format; values are trimmed.
     *
     * @param file the file
     * @param required whether a missing file is an error rather than no settings
     * @return the keys and values
     * @throws IOException when the file cannot be read, or is required and missing
     */
    public static Map<String, String> read(Path file, boolean required) throws IOException {
        Map<String, String> settings = new HashMap<>();
        if (!Files.exists(file)) {
            if (required) {
                throw new IOException("config file " + file + " does not exist");
            }
            return settings;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        properties.forEach((key, value) -> settings.put(key.toString(), value.toString().trim()));
        return settings;
    }

    /**
     * Settings over a map of keys and values.
     *
     * @param values the settings
     */
    public Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * A whole number of at least {@code minimum}.
     *
     * @param key the key
     * @param fallback the default
     * @param minimum the least allowed value
     * @return the value
     * @throws IllegalArgumentException naming the key, when the value is not such a number
     */
    public long longAtLeast(String key, long fallback, long minimum) {
        return wholeNumber(key, fallback, minimum, "a whole number of at least " + minimum);
    }

    /**
     * A size in bytes, where 0 means no limit.
     *
     * @param key the key
     * @param fallback the default
     * @return the value
     * @throws IllegalArgumentException naming the key, when the value is not such a number
     */
    public long bytes(String key, long fallback) {
        return wholeNumber(key, fallback, 0, "a whole number of bytes (0 for no limit)");
    }

    private long wholeNumber(String key, long fallback, long minimum, String expected) {
        String value = values.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= minimum) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("setting " + key + " must be " + expected + ", got '" + value + "'");
    }

    /**
     * A whole number of at least {@code minimum} that fits an int.
     *
     * @param key the key
     * @param fallback the default
     * @param minimum the least allowed value
     * @return the value
     * @throws IllegalArgumentException naming the key, when the value is not such a number
     */
    public int intAtLeast(String key, int fallback, int minimum) {
        long value = longAtLeast(key, fallback, minimum);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("setting " + key + " must be at most " + Integer.MAX_VALUE + ", got '" + values.get(key) + "'");
        }
        return (int) value;
    }

    /**
     * The settings whose keys start with a prefix, with the prefix taken off: {@code storage.s3.}
     * gives the S3 target its {@code bucket}, {@code region}, ...
     *
     * @param prefix the prefix, such as {@code storage.s3.}
     * @return the matching settings, in no particular order
     */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> found = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                found.put(key.substring(prefix.length()), value);
            }
        });
        return found;
    }
}
