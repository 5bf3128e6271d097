package dev.kiln.core.plugins;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds plugin files in tests, as a third party's build would: compiles sources against the
 * plugin API and PF4J (whose annotation processor writes {@code META-INF/extensions.idx}) and
 * packs a jar with the PF4J manifest, or PF4J's zip layout. Also builds the broken ones.
 */
public final class PluginFiles {

    /** The example plugin's sources, outside the reactor (the working directory is {@code core/}). */
    static final Path EXAMPLE = Path.of("..", "examples", "builder-example", "src", "main", "java");

    private PluginFiles() {
    }

    /**
     * Compiles sources.
     *
     * @param work a fresh directory for sources and classes
     * @param sources path under the source root (for example {@code a/B.java}) to text
     * @param extraClassPath more class path entries (a library the plugin uses)
     * @return the classes directory, with {@code META-INF/extensions.idx} when there are extensions
     */
    static Path compile(Path work, Map<String, String> sources, Path... extraClassPath) throws IOException {
        Path sourceRoot = work.resolve("src");
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = sourceRoot.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
        }
        return compileTree(sourceRoot, work.resolve("classes"), extraClassPath);
    }

    /**
     * Compiles every {@code .java} file under a directory.
     *
     * @param sourceRoot the source root
     * @param classes where the classes go
     * @param extraClassPath more class path entries
     * @return {@code classes}
     */
    static Path compileTree(Path sourceRoot, Path classes, Path... extraClassPath) throws IOException {
        Files.createDirectories(classes);
        List<String> files;
        try (Stream<Path> walk = Files.walk(sourceRoot)) {
            files = walk.filter(path -> path.toString().endsWith(".java")).map(Path::toString).toList();
        }
        StringBuilder classPath = new StringBuilder(System.getProperty("java.class.path"));
        for (Path entry : extraClassPath) {
            classPath.append(java.io.File.pathSeparator).append(entry);
        }
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-processor", "org.pf4j.processor.ExtensionAnnotationProcessor",
                "-classpath", classPath.toString(), "-d", classes.toString()));
        arguments.addAll(files);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = compiler.run(null, errors, errors, arguments.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("compiling " + sourceRoot + " failed:\n" + errors.toString(StandardCharsets.UTF_8));
        }
        return classes;
    }

    /**
     * A PF4J manifest.
     *
     * @param id Plugin-Id
     * @param version Plugin-Version
     * @param requires Plugin-Requires, or null
     * @param pluginClass Plugin-Class, or null
     * @return the entries
     */
    static Map<String, String> manifest(String id, String version, String requires, String pluginClass) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("Plugin-Id", id);
        entries.put("Plugin-Version", version);
        if (requires != null) {
            entries.put("Plugin-Requires", requires);
        }
        if (pluginClass != null) {
            entries.put("Plugin-Class", pluginClass);
        }
        entries.put("Plugin-Provider", "Tests");
        entries.put("Plugin-Description", "test plugin " + id);
        return entries;
    }

    /**
     * A jar.
     *
     * @param manifest main attributes, or null for no manifest
     * @param classes a directory whose files go in, or null
     * @param extra more entries
     * @return the jar's bytes
     */
    static byte[] jar(Map<String, String> manifest, Path classes, Map<String, byte[]> extra) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ZipOutputStream out;
        if (manifest != null) {
            Manifest jarManifest = new Manifest();
            Attributes attributes = jarManifest.getMainAttributes();
            attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.forEach((name, value) -> attributes.put(new Attributes.Name(name), value));
            out = new JarOutputStream(bytes, jarManifest);
        } else {
            out = new ZipOutputStream(bytes);
        }
        try (out) {
            if (classes != null) {
                addTree(out, classes, "");
            }
            for (Map.Entry<String, byte[]> entry : extra.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * A plugin in PF4J's zip layout: {@code plugin.properties}, {@code classes/}, {@code lib/}.
     *
     * @param properties the descriptor's entries, such as {@code plugin.id}
     * @param classes the plugin's classes
     * @param libraries jar name to jar bytes
     * @return the zip's bytes
     */
    static byte[] zip(Map<String, String> properties, Path classes, Map<String, byte[]> libraries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            out.putNextEntry(new ZipEntry("plugin.properties"));
            Writer writer = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
            for (Map.Entry<String, String> property : properties.entrySet()) {
                writer.write(property.getKey() + "=" + property.getValue() + "\n");
            }
            writer.flush();
            out.closeEntry();
            addTree(out, classes, "classes/");
            for (Map.Entry<String, byte[]> library : libraries.entrySet()) {
                out.putNextEntry(new ZipEntry("lib/" + library.getKey()));
                out.write(library.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static void addTree(ZipOutputStream out, Path root, String prefix) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                if (file.getFileName().toString().equals("MANIFEST.MF")) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(prefix + root.relativize(file).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }
    }

    /**
     * Marks the entries of a zip as symbolic links in its central directory, as {@code zip -y} would.
     *
     * @param zip the zip's bytes
     * @return patched bytes
     */
    static byte[] markAllAsSymbolicLinks(byte[] zip) {
        byte[] patched = zip.clone();
        for (int i = 0; i + 46 < patched.length; i++) {
            if (patched[i] == 0x50 && patched[i + 1] == 0x4b && patched[i + 2] == 0x01 && patched[i + 3] == 0x02) {
                patched[i + 5] = 3; // made by: Unix
                int mode = 0120777;
                patched[i + 40] = (byte) (mode & 0xff);
                patched[i + 41] = (byte) ((mode >> 8) & 0xff);
            }
        }
        return patched;
    }

    /**
     * Source of a plugin class for a package.
     *
     * @param packageName the package
     * @return path to source
     */
    static Map<String, String> pluginClass(String packageName) {
        return Map.of(packageName.replace('.', '/') + "/TestPlugin.java",
                "package " + packageName + ";\npublic final class TestPlugin extends org.pf4j.Plugin {\n}\n");
    }

    /**
     * A builder plugin's source: the builder's {@code id()} and {@code build} body are given.
     *
     * @param packageName its package
     * @param builderId the builder id
     * @param buildBody statements of {@code build(BuildContext context)}
     * @return sources
     */
    static Map<String, String> builder(String packageName, String builderId, String buildBody) {
        Map<String, String> sources = new LinkedHashMap<>(pluginClass(packageName));
        sources.put(packageName.replace('.', '/') + "/TestBuilder.java", """
                package %s;

                import java.nio.file.*;
                import dev.kiln.plugin.api.*;

                @org.pf4j.Extension
                public final class TestBuilder implements Builder {
                    @Override
                    public String id() {
                        return "%s";
                    }

                    @Override
                    public BuildOutput build(BuildContext context) throws BuildException, InterruptedException {
                        try {
                            return run(context);
                        } catch (java.io.IOException e) {
                            throw new BuildException(e.toString());
                        }
                    }

                    private BuildOutput run(BuildContext context) throws java.io.IOException, BuildException, InterruptedException {
                        %s
                    }
                }
                """.formatted(packageName, builderId, buildBody));
        return sources;
    }

    /**
     * A builder plugin's jar.
     *
     * @param work a fresh directory
     * @param pluginId the plugin id
     * @param version its version
     * @param builderId its builder's id
     * @param buildBody its build body
     * @return the jar
     */
    static byte[] builderJar(Path work, String pluginId, String version, String builderId, String buildBody) {
        try {
            String packageName = "test." + pluginId.replaceAll("[^a-z0-9]", "") + ".v" + version.replaceAll("[^0-9]", "");
            Path classes = compile(work, builder(packageName, builderId, buildBody));
            return jar(manifest(pluginId, version, ">=0.1.0", packageName + ".TestPlugin"), classes, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The example plugin (examples/builder-example), built from its sources.
     *
     * @param work a fresh directory
     * @param version the version to give it
     * @return the jar
     */
    public static byte[] exampleJar(Path work, String version) throws IOException {
        Path classes = compileTree(EXAMPLE, work.resolve("classes"));
        return jar(manifest("builder-example", version, ">=0.1.0", "dev.kiln.example.ExamplePlugin"), classes, Map.of());
    }
}
