package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The isolation every build process runs in (setting {@code builds.sandbox}: {@code auto}, the default,
 * {@code bwrap}, {@code unshare} or {@code off}).
 *
 * <p>How a build sees the machine, with bubblewrap ({@code bwrap}) or, where it is missing, util-linux's
 * {@code unshare} building the same view by hand:
 * <ul>
 * <li>the root file system, bound read-only: system tools work, nothing there can be changed;</li>
 * <li>a fresh {@code /proc} of its own PID namespace (it sees and signals only its own processes), a minimal
 * {@code /dev}, and empty private {@code /tmp}, {@code /var/tmp}, {@code /dev/shm}, {@code /run} and {@code /root};</li>
 * <li>an empty directory over Kiln's data directory and the installation's {@code plugins/} and {@code conf/};
 * {@code /etc/shadow} and {@code /etc/gshadow} are empty files;</li>
 * <li>then, at their own paths, the deployment's workspace and the project's cache directory, writable, and
 * any path the host added with {@link #addReadOnlyMount(Path)}, read-only.</li>
 * </ul>
 * The host binds the writable and added directories under a directory every account can pass before it
 * drops to the build account, so that account needs no way through the directories above them. When Kiln runs as root, builds run as the
 * unprivileged {@code builds.uid} (default {@value #DEFAULT_BUILD_UID}, distinct from the embedded
 * PostgreSQL's {@code nobody}), with no supplementary groups; the host gives it the workspace and cache before
 * each build. The network stays open: installs need registries. A sandbox dies with the node: the first
 * process holds {@code PR_SET_PDEATHSIG}, bubblewrap {@code --die-with-parent}, and the end of the namespace's
 * first process ends all the others.
 */
public final class BuildSandbox {

    /** The uid (and gid) builds run as when Kiln is root and {@code builds.uid} is not set. */
    public static final int DEFAULT_BUILD_UID = 64999;
    /** Set on the sandbox's outermost process (never inside it), naming the node that started it. */
    static final String OWNER_VARIABLE = "KILN_SANDBOX_OWNER";

    private static final Logger LOG = LoggerFactory.getLogger(BuildSandbox.class);

    /** How builds are isolated on this node. */
    public enum Mode {
        /** bubblewrap. */
        BWRAP,
        /** util-linux unshare and setpriv, as root. */
        UNSHARE,
        /** No isolation: the operator chose {@code builds.sandbox=off}. */
        OFF,
        /** None could be made: builds are refused. */
        UNAVAILABLE
    }

    private final Mode mode;
    private final String problem;
    private final Optional<Integer> buildUid;
    private final List<Path> hidden;
    private final List<Path> readOnly = new CopyOnWriteArrayList<>();
    private final Tools tools;

    private record Tools(Path shell, Path setsid, Path setpriv, Path bwrap, Path unshare) {
    }

    private BuildSandbox(Mode mode, String problem, Optional<Integer> buildUid, List<Path> hidden, Tools tools) {
        this.mode = mode;
        this.problem = problem;
        this.buildUid = buildUid;
        this.hidden = hidden;
        this.tools = tools;
    }

    /**
     * No sandbox at all, for builder tests that run a build straight through a builder.
     *
     * @return a sandbox that runs processes as they are
     */
    public static BuildSandbox off() {
        return new BuildSandbox(Mode.OFF, null, Optional.empty(), List.of(), findTools());
    }

    /**
     * Chooses and tries the sandbox for this node. Never fails: when none can be made, the sandbox says why
     * and every build is refused.
     *
     * @param setting the {@code builds.sandbox} setting, or null for {@code auto}
     * @param uidSetting the {@code builds.uid} setting, or null
     * @param hiddenPaths what builds must not see: the data directory, {@code plugins/}, {@code conf/}
     * @return the sandbox
     */
    public static BuildSandbox configure(String setting, String uidSetting, List<Path> hiddenPaths) {
        String wanted = setting == null || setting.isBlank() ? "auto" : setting.strip().toLowerCase(Locale.ROOT);
        Tools tools = findTools();
        List<Path> hidden = hiddenPaths.stream().map(path -> path.toAbsolutePath().normalize()).distinct()
                .sorted(Comparator.comparingInt(Path::getNameCount)).toList();
        if (wanted.equals("off")) {
            LOG.warn("builds.sandbox=off: builds run unisolated, as Kiln's own user, and can read what Kiln can");
            return new BuildSandbox(Mode.OFF, null, Optional.empty(), hidden, tools);
        }
        if (!List.of("auto", "bwrap", "unshare").contains(wanted)) {
            throw new IllegalArgumentException("setting builds.sandbox must be auto, bwrap, unshare or off, got '" + setting + "'");
        }
        Optional<Integer> uid = isRoot() ? Optional.of(parseUid(uidSetting)) : Optional.empty();
        List<String> problems = new ArrayList<>();
        for (Mode candidate : List.of(Mode.BWRAP, Mode.UNSHARE)) {
            if (!wanted.equals("auto") && !wanted.equals(candidate.name().toLowerCase(Locale.ROOT))) {
                continue;
            }
            BuildSandbox sandbox = new BuildSandbox(candidate, null, uid, hidden, tools);
            Optional<String> failure = sandbox.trial();
            if (failure.isEmpty()) {
                LOG.info("Builds run in a sandbox: {}", sandbox.describe());
                return sandbox;
            }
            problems.add(candidate.name().toLowerCase(Locale.ROOT) + ": " + failure.get());
        }
        String problem = "no build sandbox can be made on this node (" + String.join("; ", problems) + "); builds are refused. "
                + "Install bubblewrap, enable user namespaces (sysctl user.max_user_namespaces), or set builds.sandbox=off "
                + "to run builds unisolated";
        LOG.error(problem);
        return new BuildSandbox(Mode.UNAVAILABLE, problem, uid, hidden, tools);
    }

    private static int parseUid(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_BUILD_UID;
        }
        try {
            int uid = Integer.parseInt(value.strip());
            if (uid > 0 && uid < 4_294_967_295L) {
                return uid;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("setting builds.uid must be a uid other than 0, got '" + value + "'");
    }

    /**
     * Adds a directory every build sees read-only at its own path, such as a shared package store or a
     * downloaded tool. Applies to builds started afterwards.
     *
     * @param path an existing directory or file
     */
    public void addReadOnlyMount(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (!readOnly.contains(absolute)) {
            readOnly.add(absolute);
        }
    }

    /**
     * How builds are isolated.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Why builds are refused, when no sandbox could be made.
     *
     * @return the reason, empty when builds may run
     */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /**
     * The uid builds run as, when it differs from Kiln's.
     *
     * @return the uid, empty when builds run as Kiln's user
     */
    public Optional<Integer> buildUid() {
        return mode == Mode.OFF ? Optional.empty() : buildUid;
    }

    /**
     * For logs and the start-up message.
     *
     * @return for example {@code bubblewrap, uid 64999}
     */
    public String describe() {
        String how = switch (mode) {
            case BWRAP -> "bubblewrap";
            case UNSHARE -> "unshare and setpriv";
            case OFF -> "none (builds.sandbox=off)";
            case UNAVAILABLE -> "unavailable";
        };
        return how + buildUid().map(uid -> ", uid " + uid).orElse("");
    }

    /**
     * Gives the build account the directories a build writes in. New files the build makes are its own
     * already; a tree made by Kiln (the checkout) or by an older Kiln (a cache) changes owner.
     *
     * @param writable the workspace and the project's cache directory
     * @throws IOException when they cannot be created or given
     */
    void prepare(List<Path> writable) throws IOException {
        for (Path directory : writable) {
            Files.createDirectories(directory);
            if (buildUid().isPresent()) {
                BuildOwnership.giveTree(directory, buildUid().get());
            }
        }
    }

    /**
     * The command line that runs a build process in the sandbox.
     *
     * @param arguments the program (an absolute path) and its arguments
     * @param workingDirectory where it runs
     * @param writable the directories it may write: the workspace and the project's cache
     * @return the full command line
     */
    List<String> wrap(List<String> arguments, Path workingDirectory, List<Path> writable) {
        List<String> line = new ArrayList<>();
        if (tools.setsid() != null) {
            line.add(tools.setsid().toString());
        }
        if (mode == Mode.OFF || mode == Mode.UNAVAILABLE) {
            line.addAll(arguments);
            return line;
        }
        line.addAll(List.of(tools.setpriv().toString(), "--pdeathsig", "KILL", "--"));
        if (mode == Mode.UNSHARE) {
            line.addAll(SandboxMounts.unshare(tools.unshare(), tools.shell(), hidden, writable, readOnly, workingDirectory, buildUid()));
        } else if (buildUid().isEmpty()) {
            line.addAll(SandboxMounts.bubblewrap(tools.bwrap(), hidden, writable, writable, readOnly, readOnly, workingDirectory));
        } else {
            // bubblewrap runs as the build account, which may have no way to the workspace: a root shell in a
            // mount namespace of its own first binds what the build gets under a directory every account can pass.
            List<Path> sources = new ArrayList<>(writable);
            sources.addAll(readOnly);
            List<Path> staged = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                staged.add(SandboxMounts.STAGING.resolve(Integer.toString(i)));
            }
            line.addAll(List.of(tools.unshare().toString(), "--mount", "--propagation", "private", "--",
                    tools.shell().toString(), "-c", SandboxMounts.stagingScript(sources.size()), "kiln-sandbox"));
            sources.forEach(source -> line.add(source.toString()));
            int uid = buildUid().get();
            line.addAll(List.of(tools.setpriv().toString(), "--pdeathsig", "KILL", "--reuid=" + uid, "--regid=" + uid,
                    "--clear-groups", "--"));
            line.addAll(SandboxMounts.bubblewrap(tools.bwrap(), hidden, staged.subList(0, writable.size()), writable,
                    staged.subList(writable.size(), staged.size()), readOnly, workingDirectory));
        }
        line.addAll(arguments);
        return line;
    }

    /**
     * Ends what a previous run of this node left behind: build processes outlive their node only when it
     * died before its processes were told (or ran with no way to tell them), and must not race the retry.
     *
     * @param owner this node's id
     * @return how many process groups were killed
     */
    public static int killLeftovers(String owner) {
        byte[] marker = ("\0" + OWNER_VARIABLE + "=" + owner + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int killed = 0;
        try (var entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(path -> path.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                long pid = Long.parseLong(entry.getFileName().toString());
                if (pid == ProcessHandle.current().pid() || !environmentContains(entry.resolve("environ"), marker)) {
                    continue;
                }
                LOG.warn("Killing build process {} left behind by a previous run of node {}", pid, owner);
                try {
                    new ProcessBuilder("kill", "-KILL", "--", "-" + pid, Long.toString(pid)).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return killed;
                }
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                killed++;
            }
        } catch (IOException e) {
            LOG.warn("Could not look for build processes left behind: {}", e.getMessage());
        }
        return killed;
    }

    private static boolean environmentContains(Path environ, byte[] marker) {
        byte[] content;
        try {
            byte[] raw = Files.readAllBytes(environ);
            content = new byte[raw.length + 1];
            System.arraycopy(raw, 0, content, 1, raw.length);
        } catch (IOException | SecurityException e) {
            return false;
        }
        outer:
        for (int i = 0; i + marker.length <= content.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (content[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Runs {@code id -u} in a scratch sandbox, as a build would. */
    private Optional<String> trial() {
        if (mode == Mode.BWRAP && tools.bwrap() == null) {
            return Optional.of("bwrap is not installed");
        }
        if (tools.setpriv() == null || tools.shell() == null) {
            return Optional.of("setpriv (util-linux) is not installed");
        }
        if (mode == Mode.UNSHARE && (tools.unshare() == null || !isRoot())) {
            return Optional.of(tools.unshare() == null ? "unshare (util-linux) is not installed" : "needs Kiln to run as root");
        }
        Path scratch = null;
        try {
            if (isRoot()) {
                Files.createDirectories(SandboxMounts.UNSHARE_ROOT);
                Files.createDirectories(SandboxMounts.STAGING);
            }
            scratch = Files.createTempDirectory("kiln-sandbox-check");
            prepare(List.of(scratch));
            List<String> line = wrap(List.of(tools.shell().toString(), "-c", "id -u > id"),
                    scratch, List.of(scratch));
            Process process = new ProcessBuilder(line).directory(scratch.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.of("a trial build did not finish");
            }
            if (process.exitValue() != 0) {
                return Optional.of("a trial build failed with code " + process.exitValue() + (output.isEmpty() ? "" : ": " + output));
            }
            String uid = Files.readString(scratch.resolve("id")).strip();
            if (buildUid().isPresent() && !uid.equals(buildUid().get().toString())) {
                return Optional.of("a trial build ran as uid " + uid + " instead of " + buildUid().get());
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("a trial build could not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } finally {
            if (scratch != null) {
                dev.kiln.core.FileTrees.delete(scratch);
            }
        }
    }

    private static Tools findTools() {
        String path = System.getenv("PATH") == null ? "/usr/sbin:/usr/bin:/sbin:/bin" : System.getenv("PATH") + ":/usr/sbin:/usr/bin:/sbin:/bin";
        return new Tools(ProcessCommandRunner.findOnPath("sh", path).orElse(null),
                ProcessCommandRunner.findOnPath("setsid", path).orElse(null),
                ProcessCommandRunner.findOnPath("setpriv", path).orElse(null),
                ProcessCommandRunner.findOnPath("bwrap", path).orElse(null),
                ProcessCommandRunner.findOnPath("unshare", path).orElse(null));
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Gives the build user the directories under {@code root} that Kiln made as root (those holding
     * the shared package store's links), so the build can add and remove its own entries there; the
     * linked files stay Kiln's, read-only, so a build cannot write through them.
     *
     * @param root a directory the build may write in
     * @throws IOException when a directory cannot be given
     */
    void giveDirectories(Path root) throws IOException {
        if (buildUid().isEmpty() || !Files.isDirectory(root)) {
            return;
        }
        BuildOwnership.giveDirectories(root, buildUid().get());
    }
}
