package dev.kiln.core.store.embedded;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.store.embedded.Isolation.Account;

/**
 * What running PostgreSQL as root needs from the server's directory: a way in for the account PostgreSQL runs as,
 * and a cluster that account owns.
 */
final class RootIsolation {

    private static final Logger LOG = LoggerFactory.getLogger(RootIsolation.class);

    private static Account nobody;

    private RootIsolation() {
    }

    static synchronized Account nobody() throws IOException {
        if (nobody == null) {
            nobody = Account.lookup("nobody");
        }
        return nobody;
    }

    /**
     * Makes the cluster directory, owned by the account, and checks the account can reach it and the binaries.
     *
     * @param files the server's files
     * @param isolation how PostgreSQL runs
     */
    static void prepare(ServerFiles files, Isolation isolation) throws IOException {
        Account account = isolation.account();
        Path directory = files.directory();
        Path cluster = files.cluster();
        if (account == null) {
            ServerFiles.createPrivateDirectory(cluster);
            return;
        }
        if (isolation == Isolation.SETPRIV) {
            // nobody must pass through to pgdata and the binaries; the password and log inside stay private by their modes
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(directory, permissions);
        }
        for (Path ancestor = directory; ancestor != null; ancestor = ancestor.getParent()) {
            requireTraversable(ancestor, account, isolation.description(),
                    "choose a data directory under /var/lib or /tmp, make it reachable (chmod o+x " + ancestor
                            + "), or configure an external database");
        }
        ServerFiles.createPrivateDirectory(cluster);
        // postgres insists on owning its cluster; a cluster started under the other isolation has the other owner
        chownTree(cluster, account);
    }

    static void requireTraversable(Path directory, Account account, String who, String remedy) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(directory, "unix:mode,uid,gid");
        int mode = (Integer) attributes.get("mode");
        int uid = (Integer) attributes.get("uid");
        int gid = (Integer) attributes.get("gid");
        // the account holds no capabilities and no supplementary groups, so plain mode bits decide
        int bit = uid == account.uid() ? 0100 : gid == account.gid() ? 0010 : 0001;
        if ((mode & bit) == 0) {
            throw new IllegalStateException(String.format("PostgreSQL cannot run as root, so Kiln runs it as %s,"
                    + " which cannot enter %s (owner uid %d, mode %o); %s", who, directory, uid, mode & 07777, remedy));
        }
    }

    /**
     * initdb reads the password from a file, and as nobody it cannot read ours: a copy it owns, to delete after.
     *
     * @param isolation how PostgreSQL runs
     * @param passwordFile the password file
     * @return the file initdb reads
     */
    static Path passwordFileFor(Isolation isolation, Path passwordFile) throws IOException {
        if (isolation != Isolation.SETPRIV) {
            return passwordFile;
        }
        Account account = isolation.account();
        Path copy = passwordFile.resolveSibling("." + passwordFile.getFileName() + ".initdb");
        Files.deleteIfExists(copy);
        Files.copy(passwordFile, copy);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("r--------"));
        Files.setAttribute(copy, "unix:uid", account.uid());
        Files.setAttribute(copy, "unix:gid", account.gid());
        return copy;
    }

    private static void chownTree(Path root, Account account) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(root, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        if ((Integer) attributes.get("uid") == account.uid() && (Integer) attributes.get("gid") == account.gid()) {
            return;
        }
        LOG.info("Giving {} to uid {}", root, account.uid());
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                chown(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                chown(file);
                return FileVisitResult.CONTINUE;
            }

            private void chown(Path path) throws IOException {
                Files.setAttribute(path, "unix:uid", account.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", account.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        });
    }
}
