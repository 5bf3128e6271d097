package dev.kiln.core.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import org.pf4j.CompoundPluginDescriptorFinder;
import org.pf4j.DefaultVersionManager;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PropertiesPluginDescriptorFinder;
import org.pf4j.VersionManager;

import dev.kiln.core.ErrorCode;
import dev.kiln.core.KilnException;
import dev.kiln.plugin.api.KilnPluginApi;

/**
 * Checks a plugin file before anything of it is loaded: a safe archive (no absolute names,
 * {@code ..}, or symbolic links), a PF4J descriptor with id and version, a {@code Plugin-Requires}
 * this Kiln meets, and no bundled copy of the plugin API or PF4J. Two layouts are accepted: a
 * plugin jar, and PF4J's zip ({@code classes/}, {@code lib/*.jar}, a descriptor in
 * {@code plugin.properties} or {@code classes/META-INF/MANIFEST.MF}).
 */
final class PluginArchive {

    static final VersionManager VERSIONS = new DefaultVersionManager();
    private static final Pattern PLUGIN_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final List<String> HOST_PACKAGES = List.of("dev/kiln/plugin/api/", "org/pf4j/");
    private static final int UNIX_FILE_TYPE = 0170000;
    private static final int UNIX_SYMLINK = 0120000;

    private PluginArchive() {
    }

    /** Whether a file is a jar (loaded as is) or a zip (expanded into a directory first). */
    enum Layout { JAR, ZIP }

    /**
     * Tells the layout of a file whose name says nothing (an upload): a jar has the descriptor in
     * its own manifest.
     */
    static Layout layoutOf(Path file) {
        try (ZipFile zip = open(file)) {
            return zip.getEntry("plugin.properties") != null || hasEntryUnder(zip, "classes/") ? Layout.ZIP : Layout.JAR;
        } catch (IOException e) {
            throw corrupt(e);
        }
    }

    private static boolean hasEntryUnder(ZipFile zip, String prefix) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            if (entries.nextElement().getName().startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks every entry name and type, and that no entry carries the host's classes.
     *
     * @param file a jar or zip
     * @throws KilnException 422 naming the problem
     */
    static void checkEntries(Path file) {
        checkNoSymbolicLinks(file);
        try (ZipFile zip = open(file)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                checkName(name);
                ArchiveLimits.checkName(name);
                String inner = name.startsWith("classes/") ? name.substring("classes/".length()) : name;
                checkNotHostClass(inner, "");
                if (name.toLowerCase(Locale.ROOT).endsWith(".jar") && !entry.isDirectory()) {
                    try (InputStream nested = zip.getInputStream(entry)) {
                        checkNestedJar(nested, name);
                    }
                }
            }
        } catch (IOException e) {
            throw corrupt(e);
        }
    }

    private static void checkNestedJar(InputStream in, String jarName) throws IOException {
        try (ZipInputStream nested = new ZipInputStream(in)) {
            ZipEntry entry;
            boolean any = false;
            while ((entry = nested.getNextEntry()) != null) {
                any = true;
                checkNotHostClass(entry.getName(), " (in " + jarName + ")");
            }
            if (!any) {
                throw invalid("corrupt archive: " + jarName + " is not a jar");
            }
        }
    }

    private static void checkName(String name) {
        String normalized = name.replace('\\', '/');
        if (normalized.startsWith("/") || normalized.matches("^[A-Za-z]:.*") || name.indexOf('\0') >= 0) {
            throw invalid("unsafe archive: the entry '" + name + "' has an absolute name");
        }
        for (String part : normalized.split("/")) {
            if (part.equals("..")) {
                throw invalid("unsafe archive: the entry '" + name + "' points outside the plugin (..)");
            }
        }
    }

    private static void checkNotHostClass(String name, String where) {
        for (String hostPackage : HOST_PACKAGES) {
            if (name.startsWith(hostPackage) && name.endsWith(".class")) {
                throw invalid("the plugin bundles " + name + where + ": plugin-api and pf4j must be 'provided' dependencies, "
                        + "Kiln supplies them");
            }
        }
    }

    /**
     * Reads the descriptor of a jar, or of an expanded zip directory, and checks it.
     *
     * @param path a jar or a directory
     * @return the descriptor
     */
    static PluginDescriptor descriptor(Path path) {
        PluginDescriptor descriptor;
        try {
            descriptor = new CompoundPluginDescriptorFinder()
                    .add(new PropertiesPluginDescriptorFinder())
                    .add(new ManifestPluginDescriptorFinder())
                    .find(path);
        } catch (RuntimeException e) {
            throw invalid("not a Kiln plugin: no PF4J descriptor (Plugin-Id, Plugin-Version in META-INF/MANIFEST.MF)");
        }
        String id = descriptor.getPluginId();
        if (id == null || id.isBlank()) {
            throw invalid("not a Kiln plugin: the manifest has no Plugin-Id");
        }
        if (!PLUGIN_ID.matcher(id).matches()) {
            throw invalid("Plugin-Id '" + id + "' must be 1 to 64 lower case letters, digits, '.', '_' or '-'");
        }
        String version = descriptor.getVersion();
        if (version == null || version.isBlank()) {
            throw invalid("not a Kiln plugin: the manifest has no Plugin-Version");
        }
        try {
            VERSIONS.compareVersions(version, version);
        } catch (RuntimeException e) {
            throw invalid("Plugin-Version '" + version + "' is not a semantic version such as 1.2.0");
        }
        String requires = descriptor.getRequires();
        boolean compatible;
        try {
            compatible = requires == null || requires.isBlank() || requires.equals("*")
                    || VERSIONS.checkVersionConstraint(KilnPluginApi.VERSION, requires);
        } catch (RuntimeException e) {
            compatible = false;
        }
        if (!compatible) {
            throw invalid("wrong Kiln version: plugin '" + id + "' requires Kiln plugin API " + requires
                    + ", this Kiln has " + KilnPluginApi.VERSION);
        }
        if (descriptor.getDependencies().stream().anyMatch(dependency -> !dependency.isOptional())) {
            throw invalid("plugin '" + id + "' depends on other plugins (Plugin-Dependencies); Kiln loads each plugin on its own");
        }
        return descriptor;
    }

    /**
     * Expands a PF4J zip into a directory, writing regular files only, within the limits.
     *
     * @param zipFile the checked zip
     * @param directory where to expand; created
     * @param limits how much it may unpack to
     */
    static void expand(Path zipFile, Path directory, ArchiveLimits limits) throws IOException {
        Files.createDirectories(directory);
        Path root = directory.toAbsolutePath().normalize();
        ArchiveLimits.Budget budget = limits.new Budget();
        byte[] buffer = new byte[64 * 1024];
        try (ZipFile zip = open(zipFile)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                ArchiveLimits.checkName(entry.getName());
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw invalid("unsafe archive: the entry '" + entry.getName() + "' points outside the plugin");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(entry); var out = Files.newOutputStream(target)) {
                        int read;
                        while ((read = in.read(buffer)) > 0) {
                            budget.add(read);
                            out.write(buffer, 0, read);
                        }
                    }
                }
            }
        }
    }

    private static ZipFile open(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw invalid("corrupt archive: the file is not a jar or zip (" + e.getMessage() + ")");
        }
    }

    /**
     * Java's zip API hides the entry's Unix mode, so read it from the central directory: version
     * made by Unix (3) and file type 0120000 mark a symbolic link.
     */
    private static void checkNoSymbolicLinks(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            int tail = (int) Math.min(size, 65_535 + 22);
            ByteBuffer end = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(end, size - tail);
            int eocd = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (end.getInt(i) == 0x06054b50) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw invalid("corrupt archive: the file is not a jar or zip (no end of central directory)");
            }
            int entries = Short.toUnsignedInt(end.getShort(eocd + 10));
            long directorySize = Integer.toUnsignedLong(end.getInt(eocd + 12));
            long directoryOffset = Integer.toUnsignedLong(end.getInt(eocd + 16));
            if (directoryOffset + directorySize > size || directorySize > Integer.MAX_VALUE) {
                throw invalid("corrupt archive: the central directory is out of bounds");
            }
            ByteBuffer directory = ByteBuffer.allocate((int) directorySize).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(directory, directoryOffset);
            int position = 0;
            List<String> links = new ArrayList<>();
            for (int i = 0; i < entries && position + 46 <= directorySize; i++) {
                if (directory.getInt(position) != 0x02014b50) {
                    throw invalid("corrupt archive: bad central directory entry");
                }
                int madeBy = Short.toUnsignedInt(directory.getShort(position + 4)) >> 8;
                int nameLength = Short.toUnsignedInt(directory.getShort(position + 28));
                int extraLength = Short.toUnsignedInt(directory.getShort(position + 30));
                int commentLength = Short.toUnsignedInt(directory.getShort(position + 32));
                int mode = directory.getInt(position + 38) >>> 16;
                if (madeBy == 3 && (mode & UNIX_FILE_TYPE) == UNIX_SYMLINK && position + 46 + nameLength <= directorySize) {
                    byte[] name = new byte[nameLength];
                    directory.get(position + 46, name);
                    links.add(new String(name, java.nio.charset.StandardCharsets.UTF_8));
                }
                position += 46 + nameLength + extraLength + commentLength;
            }
            if (!links.isEmpty()) {
                throw invalid("unsafe archive: the entry '" + links.get(0) + "' is a symbolic link");
            }
        } catch (IOException e) {
            throw corrupt(e);
        }
    }

    private static KilnException corrupt(IOException e) {
        return invalid("corrupt archive: " + e.getMessage());
    }

    static KilnException invalid(String message) {
        return new KilnException(ErrorCode.VALIDATION_ERROR, message);
    }
}
