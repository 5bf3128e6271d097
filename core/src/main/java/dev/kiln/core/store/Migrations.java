package dev.kiln.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The schema migrations shipped with Kiln: every {@code db/V<number>__<name>.sql} next to this
 * class (in its jar or class directory), found by name rather than kept in a hand-written list,
 * ordered by number, each with the SHA-256 of its text so that an edited released migration is
 * noticed at start.
 */
final class Migrations {

    private static final String FOLDER = "db/";
    private static final Pattern NAME = Pattern.compile("V(\\d+)__[A-Za-z0-9_]+\\.sql");

    /**
     * One migration script.
     *
     * @param version its number
     * @param name its file name, which is also its key in {@code schema_migrations}
     * @param sql its text
     * @param checksum the hex SHA-256 of its bytes
     */
    record Migration(int version, String name, String sql, String checksum) {
    }

    private Migrations() {
    }

    /**
     * The migrations on the classpath, in the order they apply.
     *
     * @return the migrations
     * @throws IllegalStateException when none is found or two share a number
     */
    static List<Migration> onClasspath() {
        List<String> names = names();
        List<Migration> migrations = new ArrayList<>();
        Map<Integer, String> byVersion = new HashMap<>();
        for (String name : names) {
            Matcher matcher = NAME.matcher(name);
            if (!matcher.matches()) {
                throw new IllegalStateException("migration file " + FOLDER + name + " is not named V<number>__<name>.sql");
            }
            int version = Integer.parseInt(matcher.group(1));
            String other = byVersion.put(version, name);
            if (other != null) {
                throw new IllegalStateException("migrations " + other + " and " + name + " share the number " + version);
            }
            byte[] bytes = read(name);
            migrations.add(new Migration(version, name, new String(bytes, StandardCharsets.UTF_8), sha256(bytes)));
        }
        if (migrations.isEmpty()) {
            throw new IllegalStateException("no migration found under " + FOLDER + " on the classpath");
        }
        migrations.sort(Comparator.comparingInt(Migration::version));
        return List.copyOf(migrations);
    }

    private static List<String> names() {
        Path location;
        try {
            location = Path.of(Migrations.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where Kiln's classes are, to find its migrations", e);
        }
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(location)) {
                Path folder = location.resolve(FOLDER);
                if (Files.isDirectory(folder)) {
                    try (Stream<Path> files = Files.list(folder)) {
                        files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".sql")).forEach(names::add);
                    }
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                        String name = entry.getName();
                        if (name.startsWith(FOLDER) && name.endsWith(".sql") && name.indexOf('/', FOLDER.length()) < 0) {
                            names.add(name.substring(FOLDER.length()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the migrations in " + location + ": " + e.getMessage(), e);
        }
        return names;
    }

    private static byte[] read(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream("/" + FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("migration " + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + name + ": " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
