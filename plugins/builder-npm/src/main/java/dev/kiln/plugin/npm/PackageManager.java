package dev.kiln.plugin.npm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The package managers the builder drives, and how each installs and runs a script.
 */
enum PackageManager {

    // The order is the order of preference when a repository holds several lockfiles: the
    // stricter tools first, since a stray package-lock.json next to a pnpm-lock.yaml is usually
    // the leftover of someone running `npm install` once.
    PNPM("pnpm", List.of("pnpm-lock.yaml")),
    YARN("yarn", List.of("yarn.lock")),
    NPM("npm", List.of("package-lock.json", "npm-shrinkwrap.json"));

    private final String program;
    private final List<String> lockfiles;

    PackageManager(String program, List<String> lockfiles) {
        this.program = program;
        this.lockfiles = lockfiles;
    }

    /**
     * The program's name on the {@code PATH}.
     *
     * @return for example {@code pnpm}
     */
    String program() {
        return program;
    }

    /**
     * The install command.
     *
     * @param lockfile the project's lockfile, or null when it has none
     * @param cacheDirectory the builder's cache directory
     * @return the program and its arguments
     */
    List<String> install(String lockfile, Path cacheDirectory) {
        boolean locked = lockfile != null;
        return switch (this) {
            // `npm ci` installs exactly the lockfile and fails when it is out of date with package.json.
            case NPM -> locked ? List.of("npm", "ci") : List.of("npm", "install");
            case YARN -> locked ? List.of("yarn", "install", "--frozen-lockfile") : List.of("yarn", "install");
            // pnpm's store holds the packages it hard-links into node_modules; keeping it in the
            // cache directory is what makes the second install fast.
            case PNPM -> {
                List<String> arguments = new ArrayList<>(List.of("pnpm", "install"));
                if (locked) {
                    arguments.add("--frozen-lockfile");
                }
                arguments.addAll(List.of("--store-dir", cacheDirectory.resolve(NpmBuilder.PNPM_STORE).toString()));
                yield List.copyOf(arguments);
            }
        };
    }

    /**
     * The command running a {@code package.json} script.
     *
     * @param script the script name
     * @return the program and its arguments
     */
    List<String> run(String script) {
        return List.of(program, "run", script);
    }

    /**
     * The package manager a project uses: the one whose lockfile is in the project directory or,
     * for a workspace of a monorepo, in the nearest folder above it up to the repository root;
     * else the one its {@code packageManager} field names; else npm.
     *
     * @param directory the project directory
     * @param repositoryRoot the checkout's root, the highest folder searched
     * @param project its package.json
     * @return the choice
     */
    static Choice choose(Path directory, Path repositoryRoot, NpmProject project) {
        for (Path folder = directory; folder != null && folder.startsWith(repositoryRoot); folder = folder.getParent()) {
            List<String> found = new ArrayList<>();
            PackageManager chosen = null;
            String chosenLockfile = null;
            for (PackageManager manager : values()) {
                for (String lockfile : manager.lockfiles) {
                    if (Files.isRegularFile(folder.resolve(lockfile))) {
                        found.add(lockfile);
                        if (chosen == null) {
                            chosen = manager;
                            chosenLockfile = lockfile;
                        }
                    }
                }
            }
            if (chosen != null) {
                String where = folder.equals(directory) ? chosenLockfile : directory.relativize(folder).resolve(chosenLockfile).toString();
                return new Choice(chosen, chosenLockfile, folder, where, found);
            }
        }
        // Corepack's field, for example "pnpm@9.1.0": an honest signal when there is no lockfile yet.
        String declared = project.packageManager();
        if (declared != null) {
            for (PackageManager manager : values()) {
                if (declared.startsWith(manager.program + "@") || declared.equals(manager.program)) {
                    return new Choice(manager, null, directory, "packageManager in package.json", List.of());
                }
            }
        }
        return new Choice(NPM, null, directory, "no lockfile", List.of());
    }

    /**
     * A package manager chosen for a project.
     *
     * @param manager the package manager
     * @param lockfile the name of the lockfile that chose it, or null
     * @param installDirectory where the lockfile is, and so where the install runs: the project
     *     directory, or the root of the monorepo it belongs to
     * @param reason what chose it, for the log
     * @param lockfiles every lockfile next to the chosen one, for a warning when there are several
     */
    record Choice(PackageManager manager, String lockfile, Path installDirectory, String reason, List<String> lockfiles) {

        /**
         * Copies the list.
         */
        Choice {
            lockfiles = List.copyOf(lockfiles);
        }

        /**
         * Why this package manager was chosen, for the log.
         *
         * @return for example {@code yarn (yarn.lock)}
         */
        String describe() {
            return manager.program + " (" + reason + ")";
        }
    }
}
