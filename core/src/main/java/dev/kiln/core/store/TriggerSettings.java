package dev.kiln.core.store;

import java.util.List;

/**
 * How a project's deployments start besides the API: polling, and which branches get previews.
 *
 * @param pollIntervalSeconds seconds between polls of the remote, or null for no polling
 * @param previewBranches which non-production branches are deployed as previews
 */
public record TriggerSettings(Integer pollIntervalSeconds, PreviewBranches previewBranches) {

    /** No polling, previews of every branch. */
    public static final TriggerSettings DEFAULT = new TriggerSettings(null, PreviewBranches.ALL);

    /** The shortest poll interval: a remote is not asked more often. */
    public static final int MIN_POLL_SECONDS = 5;

    /**
     * Checks the interval.
     */
    public TriggerSettings {
        if (pollIntervalSeconds != null && pollIntervalSeconds < MIN_POLL_SECONDS) {
            throw new IllegalArgumentException("pollIntervalSeconds must be at least " + MIN_POLL_SECONDS);
        }
        java.util.Objects.requireNonNull(previewBranches, "previewBranches");
    }

    /**
     * Which branches get previews: all of them, none, or those matching one of a list of globs.
     *
     * @param all every branch
     * @param patterns globs ({@code *} within a path segment, {@code **} across) when not all; empty for none
     */
    public record PreviewBranches(boolean all, List<String> patterns) {

        /** Every branch. */
        public static final PreviewBranches ALL = new PreviewBranches(true, List.of());
        /** No branch. */
        public static final PreviewBranches NONE = new PreviewBranches(false, List.of());

        /**
         * Copies the list.
         */
        public PreviewBranches {
            patterns = all ? List.of() : List.copyOf(patterns);
        }
    }
}
