package dev.kiln.core.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command lines that build the file system view {@link BuildSandbox} describes: one for bubblewrap,
 * one for util-linux's {@code unshare} (a root shell in a private mount namespace mounts the same view
 * under a directory and enters it with {@code chroot}, then drops to the build account).
 */
final class SandboxMounts {

    /** Files replaced by empty ones. */
    static final List<Path> EMPTIED = List.of(Path.of("/etc/shadow"), Path.of("/etc/gshadow"));
    /** Where the unshare sandbox builds its view; an empty directory on the host, mounted over only inside. */
    static final Path UNSHARE_ROOT = Path.of("/run/kiln-sandbox");
    /** Where a root shell binds what bubblewrap, running as the build account, then binds into its view. */
    static final Path STAGING = Path.of("/run/kiln-sandbox-staging");

    private SandboxMounts() {
    }

    /**
     * The root shell's script that binds its arguments at {@code STAGING/0..n-1} in a private mount namespace,
     * then runs the rest of its arguments.
     */
    static String stagingScript(int count) {
        return "set -e; S=" + quote(STAGING.toString()) + "; mount -t tmpfs -o mode=0711 kiln-staging \"$S\"; i=0; "
                + "while [ $i -lt " + count + " ]; do mkdir \"$S/$i\"; mount --bind \"$1\" \"$S/$i\"; shift; i=$((i+1)); done; "
                + "exec \"$@\"";
    }

    static List<String> bubblewrap(Path bwrap, List<Path> hidden, List<Path> writableSources, List<Path> writable,
                                   List<Path> readOnlySources, List<Path> readOnly, Path workingDirectory) {
        List<String> line = new ArrayList<>(List.of(bwrap.toString(), "--die-with-parent", "--new-session", "--unshare-pid",
                "--unshare-ipc", "--unsetenv", BuildSandbox.OWNER_VARIABLE,
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/root"));
        for (Path file : EMPTIED) {
            if (Files.exists(file)) {
                line.addAll(List.of("--ro-bind", "/dev/null", file.toString()));
            }
        }
        for (Path path : hidden) {
            if (Files.isDirectory(path)) {
                line.addAll(List.of("--tmpfs", path.toString()));
            }
        }
        for (int i = 0; i < writable.size(); i++) {
            line.addAll(List.of("--bind", writableSources.get(i).toString(), writable.get(i).toString()));
        }
        for (int i = 0; i < readOnly.size(); i++) {
            line.addAll(List.of("--ro-bind", readOnlySources.get(i).toString(), readOnly.get(i).toString()));
        }
        // Last, once the binds inside exist: the empty directories over what is hidden take no files either.
        for (Path path : hidden) {
            if (Files.isDirectory(path)) {
                line.addAll(List.of("--remount-ro", path.toString()));
            }
        }
        line.addAll(List.of("--chdir", workingDirectory.toString(), "--"));
        return line;
    }

    static List<String> unshare(Path unshare, Path shell, List<Path> hidden, List<Path> writable, List<Path> readOnly,
                                Path workingDirectory, Optional<Integer> uid) {
        StringBuilder script = new StringBuilder("set -e; R=").append(quote(UNSHARE_ROOT.toString())).append('\n')
                .append("mount --rbind / \"$R\"; mount -o remount,bind,ro \"$R\"; mount -t proc proc \"$R/proc\"\n")
                .append("for d in /tmp /var/tmp /dev/shm; do [ ! -d \"$d\" ] || mount -t tmpfs -o mode=1777 kiln \"$R$d\"; done\n")
                .append("mount -t tmpfs -o mode=0700 kiln \"$R/root\"\n");
        for (Path file : EMPTIED) {
            script.append("[ ! -e ").append(quote(file.toString())).append(" ] || mount --bind /dev/null \"$R\"")
                    .append(quote(file.toString())).append('\n');
        }
        for (Path path : hidden) {
            script.append("[ ! -d ").append(quote(path.toString())).append(" ] || mount -t tmpfs -o mode=0755,uid=0 kiln \"$R\"")
                    .append(quote(path.toString())).append('\n');
        }
        for (Path path : writable) {
            script.append("mkdir -p \"$R\"").append(quote(path.toString())).append("; mount --bind ").append(quote(path.toString()))
                    .append(" \"$R\"").append(quote(path.toString())).append('\n');
        }
        for (Path path : readOnly) {
            String target = "\"$R\"" + quote(path.toString());
            script.append("[ -e ").append(target).append(" ] || mkdir -p ").append(target).append("; mount --bind ")
                    .append(quote(path.toString())).append(' ').append(target).append("; mount -o remount,bind,ro ").append(target)
                    .append('\n');
        }
        script.append("unset ").append(BuildSandbox.OWNER_VARIABLE).append('\n');
        script.append("exec chroot \"$R\" setpriv --pdeathsig KILL --no-new-privs --inh-caps=-all --bounding-set=-all");
        uid.ifPresent(id -> script.append(" --reuid=").append(id).append(" --regid=").append(id).append(" --clear-groups"));
        script.append(" -- /bin/sh -c 'cd \"$1\" && shift && exec \"$@\"' kiln-build \"$@\"\n");
        List<String> line = new ArrayList<>(List.of(unshare.toString(), "--mount", "--pid", "--ipc", "--fork", "--kill-child",
                "--propagation", "private", "--", shell.toString(), "-c", script.toString(), "kiln-sandbox", workingDirectory.toString()));
        return line;
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
