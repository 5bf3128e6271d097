package dev.kiln.core.store;

/**
 * Where a deployment's files are stored.
 *
 * @param storage the storage target id
 * @param artifactKey the key inside it
 */
public record StoredArtifactRef(String storage, String artifactKey) {
}
