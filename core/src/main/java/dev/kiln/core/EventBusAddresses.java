package dev.kiln.core;

/**
 * Every event-bus address Kiln uses, in one place: nodes of a cluster must agree on them.
 */
public final class EventBusAddresses {

    /** Published when there may be work to claim; every node's dispatcher wakes. */
    public static final String WORK = "kiln.work";

    /** A deployment id published to stop its build wherever it runs. */
    public static final String CANCEL = "kiln.cancel";

    /** Published when the installed plugins changed; every node syncs. */
    public static final String PLUGINS_CHANGED = "kiln.plugins.changed";

    /** Followed by a node id: where that node answers for the deployment files it holds. */
    public static final String SITE_FILES_PREFIX = "kiln.sites.files.";

    /** Followed by an artifact key: where every node holding a whole copy of that deployment answers. */
    public static final String SITE_HOLDERS_PREFIX = "kiln.sites.holders.";

    private static final String LOGS_PREFIX = "kiln.logs.";

    private EventBusAddresses() {
    }

    /**
     * Where a deployment's live log lines and its end are published.
     *
     * @param deploymentId the deployment
     * @return the address
     */
    public static String logs(long deploymentId) {
        return LOGS_PREFIX + deploymentId;
    }
}
