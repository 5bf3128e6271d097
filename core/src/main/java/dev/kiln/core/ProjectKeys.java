package dev.kiln.core;

/**
 * The one name of a project's directories on a node: its git mirror and its build cache.
 */
public final class ProjectKeys {

    /** What every project's key starts with. */
    public static final String PREFIX = "project-";

    private ProjectKeys() {
    }

    /**
     * A project's key.
     *
     * @param projectId the project
     * @return for example {@code project-12}
     */
    public static String of(long projectId) {
        return PREFIX + projectId;
    }
}
