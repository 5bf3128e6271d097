package dev.kiln.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Git repositories made in a temporary directory for a benchmark to deploy from. */
final class GitRepositories {

    private GitRepositories() {
    }

    /**
     * Writes the files and commits them, once, on branch {@code main}.
     *
     * @param directory the repository's directory, created when missing
     * @param files path to content, in the order given
     * @return the directory
     * @throws Exception when git fails
     */
    static Path create(Path directory, Map<String, String> files) throws Exception {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = directory.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        Processes.output(directory, null, List.of("git", "init", "-q", "-b", "main"));
        Processes.output(directory, null, List.of("git", "add", "."));
        Processes.output(directory, null, List.of("git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com",
                "commit", "-qm", "Bench site"));
        return directory;
    }
}
