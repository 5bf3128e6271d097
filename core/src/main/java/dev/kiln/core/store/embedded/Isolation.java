package dev.kiln.core.store.embedded;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How PostgreSQL, which refuses to run as root, is kept from running as root.
 *
 * <p>As root, PostgreSQL runs inside a fresh user namespace ({@code unshare -U}) where the kernel allows that: uid 0
 * on disk but no privileges. Where user namespaces are forbidden (the default seccomp profile of Docker and most
 * container runtimes) it runs as user {@code nobody} through {@code setpriv}. See {@link RootIsolation} for what the
 * directories need in each case.
 */
enum Isolation {
    /** Not root: PostgreSQL runs as the JVM's user. */
    NONE,
    /** Root, and user namespaces work: unshare -U, uid 0 on disk but no capabilities. */
    USER_NAMESPACE,
    /** Root without user namespaces: setpriv switches to nobody. */
    SETPRIV;

    private static volatile Boolean unshareWorks;

    static Isolation detect() throws IOException {
        if (!System.getProperty("os.name", "").startsWith("Linux") || currentUid() != 0) {
            return NONE;
        }
        return unshareWorks() ? USER_NAMESPACE : SETPRIV;
    }

    /**
     * The identity PostgreSQL has on disk.
     *
     * @return null for the JVM's own user
     */
    Account account() throws IOException {
        return switch (this) {
            case USER_NAMESPACE -> new Account("root", 0, 0);
            case SETPRIV -> RootIsolation.nobody();
            case NONE -> null;
        };
    }

    /**
     * What to put in front of a PostgreSQL command.
     *
     * @return the prefix, empty for none
     */
    List<String> commandPrefix() throws IOException {
        return switch (this) {
            case USER_NAMESPACE -> List.of("unshare", "-U");
            case SETPRIV -> {
                Account nobody = RootIsolation.nobody();
                yield List.of(findSetpriv(), "--reuid=" + nobody.uid(), "--regid=" + nobody.gid(), "--clear-groups",
                        "--no-new-privs", "--");
            }
            case NONE -> List.of();
        };
    }

    String description() {
        return switch (this) {
            case USER_NAMESPACE -> "root without privileges in a user namespace";
            case SETPRIV -> "user nobody via setpriv";
            case NONE -> "user " + System.getProperty("user.name");
        };
    }

    private static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    private static boolean unshareWorks() {
        Boolean known = unshareWorks;
        if (known == null) {
            try {
                Process process = new ProcessBuilder("unshare", "-U", "true").redirectErrorStream(true).start();
                process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                known = process.waitFor() == 0;
            } catch (IOException e) {
                known = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                known = false;
            }
            unshareWorks = known;
        }
        return known;
    }

    private static String findSetpriv() {
        List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        directories.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        for (String directory : directories) {
            if (!directory.isEmpty()) {
                Path candidate = Path.of(directory, "setpriv");
                if (Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath().toString();
                }
            }
        }
        throw new IllegalStateException("PostgreSQL cannot run as root, user namespaces are unavailable here and"
                + " setpriv (util-linux) is not installed; install util-linux, run Kiln as another user, or"
                + " configure an external database");
    }

    /** The unprivileged identity PostgreSQL runs as when Kiln is root. */
    record Account(String name, int uid, int gid) {

        static Account lookup(String user) throws IOException {
            Process process = new ProcessBuilder("id", user).redirectErrorStream(true).start();
            String id = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted running id " + user, e);
            }
            Matcher matcher = Pattern.compile("uid=(\\d+)\\S*\\s+gid=(\\d+)").matcher(id);
            if (!matcher.find()) {
                throw new IllegalStateException("PostgreSQL cannot run as root and this system has no user " + user
                        + " to run it as (id " + user + ": " + id.strip() + "); run Kiln as another user or configure an"
                        + " external database");
            }
            return new Account(user, Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
        }
    }
}
