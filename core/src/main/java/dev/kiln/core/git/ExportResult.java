package dev.kiln.core.git;

import java.util.List;

/**
 * What an export wrote.
 *
 * @param files regular files and symbolic links written
 * @param bytes the total size of the regular files written
 * @param warnings one sentence per tree entry that was not written (escaping symbolic links, submodules
 *                 without a URL, unsafe names), for the deployment log
 * @param submodules one sentence per submodule checked out (path, commit, URL without credentials), for the log
 */
public record ExportResult(long files, long bytes, List<String> warnings, List<String> submodules) {

    public ExportResult {
        warnings = List.copyOf(warnings);
        submodules = List.copyOf(submodules);
    }

    /** This result with another's counts and sentences added. */
    ExportResult plus(ExportResult other) {
        List<String> allWarnings = new java.util.ArrayList<>(warnings);
        allWarnings.addAll(other.warnings);
        List<String> allSubmodules = new java.util.ArrayList<>(submodules);
        allSubmodules.addAll(other.submodules);
        return new ExportResult(files + other.files, bytes + other.bytes, allWarnings, allSubmodules);
    }
}
