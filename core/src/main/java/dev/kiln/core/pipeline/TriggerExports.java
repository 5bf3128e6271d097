package dev.kiln.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import dev.kiln.core.FileTrees;

/**
 * Source trees the trigger exported to detect the builder, handed to the runner when it runs on
 * the same node, so a deployment's commit is exported once. A runner on another node, or one that
 * claimed the job before the hand-off, exports for itself; what nobody takes is deleted.
 */
final class TriggerExports {

    private final Path root;

    TriggerExports(Path dataDirectory) {
        this.root = dataDirectory.resolve("exports");
    }

    /** Keeps a tree for a deployment; a failure only costs the runner its own export. */
    void keep(Path tree, long deploymentId) {
        try {
            Files.createDirectories(root);
            Files.move(tree, root.resolve(Long.toString(deploymentId)), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            FileTrees.delete(tree);
        }
    }

    /**
     * Moves the deployment's kept tree to {@code target}.
     *
     * @return true when there was one
     */
    boolean take(long deploymentId, Path target) {
        Path kept = root.resolve(Long.toString(deploymentId));
        if (!Files.isDirectory(kept)) {
            return false;
        }
        try {
            Files.createDirectories(target.getParent());
            Files.move(kept, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the deployment's kept tree, if any. */
    void discard(long deploymentId) {
        FileTrees.delete(root.resolve(Long.toString(deploymentId)));
    }

    /** Deletes every kept tree: at start, when no run can want one. */
    void discardAll() {
        FileTrees.delete(root);
    }
}
