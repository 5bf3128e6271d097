package dev.kiln.core.plugins;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;

/**
 * Limits on what a plugin file unpacks to, checked on the uploaded bytes before anything is
 * written: a zip bomb is refused by counting what its entries really inflate to (the sizes an
 * archive declares can lie), and an entry name no file system can hold is refused by name.
 *
 * @param maxUnpackedBytes the most all entries may inflate to together
 * @param maxEntries the most entries
 */
record ArchiveLimits(long maxUnpackedBytes, int maxEntries) {

    /** The default for {@code plugins.max_unpacked_bytes}. */
    static final long DEFAULT_MAX_UNPACKED_BYTES = 256L * 1024 * 1024;
    static final int DEFAULT_MAX_ENTRIES = 20_000;
    /** Linux's limit for one name in a path, in bytes. */
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_PATH_CHARACTERS = 1024;

    /**
     * Checks an archive held in memory.
     *
     * @param content the plugin file
     * @throws KilnException 413 when it unpacks to too much, 422 for a name too long or a corrupt archive
     */
    void check(byte[] content) {
        long total = 0;
        int entries = 0;
        byte[] buffer = new byte[64 * 1024];
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(content))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (++entries > maxEntries) {
                    throw new KilnException(ErrorCode.PAYLOAD_TOO_LARGE, "the plugin file has more than " + maxEntries + " entries");
                }
                checkName(entry.getName());
                int read;
                while ((read = zip.read(buffer)) > 0) {
                    total += read;
                    if (total > maxUnpackedBytes) {
                        throw new KilnException(ErrorCode.PAYLOAD_TOO_LARGE, "the plugin file unpacks to more than " + maxUnpackedBytes
                                + " bytes (plugins.max_unpacked_bytes); refused before unpacking anything");
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw PluginArchive.invalid("corrupt archive: " + e.getMessage());
        }
        if (entries == 0) {
            throw PluginArchive.invalid("corrupt archive: the file is not a jar or zip (no entries)");
        }
    }

    /**
     * Checks that an entry name can be written as a file.
     *
     * @param name the entry name
     */
    static void checkName(String name) {
        if (name.length() > MAX_PATH_CHARACTERS) {
            throw PluginArchive.invalid("the entry name '" + name.substring(0, 60) + "...' is longer than " + MAX_PATH_CHARACTERS
                    + " characters");
        }
        for (String part : name.split("/")) {
            if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw PluginArchive.invalid("the entry '" + (name.length() > 80 ? name.substring(0, 80) + "..." : name)
                        + "' has a name longer than " + MAX_NAME_BYTES + " bytes");
            }
        }
    }

    /**
     * Counts bytes written while expanding, in case the archive on disk differs from the one checked.
     */
    final class Budget {
        private long used;

        void add(long bytes) {
            used += bytes;
            if (used > maxUnpackedBytes) {
                throw new KilnException(ErrorCode.PAYLOAD_TOO_LARGE, "the plugin file unpacks to more than " + maxUnpackedBytes + " bytes");
            }
        }
    }
}
