package dev.kiln.core.git;

import java.util.List;

/**
 * What an export wrote.
 *
 * @param files regular files and symbolic links written
 * @param bytes the total size of the regular files written
 * @param warnings one sentence per tree entry that was not written (escaping symbolic links, submodules,
 *                 unsafe names), for the deployment log
 */
public record ExportResult(long files, long bytes, List<String> warnings) {

    public ExportResult {
        warnings = List.copyOf(warnings);
    }
}
