package dev.kiln.core.github;

import dev.kiln.core.store.DeploymentStatus;
import dev.kiln.core.store.DeploymentStore.CreationStatuses;
import dev.kiln.core.store.DeploymentStore.PreviewStatuses;
import dev.kiln.core.store.StatusStore.NewStatus;
import dev.kiln.core.store.StatusStore.Retirement;

/**
 * Which GitHub status each pipeline event writes. The store writes what these give it, in the
 * transaction that changes the deployment, so a status never disagrees with the state it reports.
 */
public final class PipelineStatuses {

    /** A deployment is created {@code queued}; the older queued deployments of its branch it supersedes report {@code error}. */
    public static final CreationStatuses CREATED = new CreationStatuses(StatusState.QUEUED.wireName(), "Queued",
            StatusState.ERROR.wireName(), "Superseded by deployment ");

    /**
     * GitHub's {@code auto_inactive}: a {@code success} gives the earlier {@code success} of its
     * environment (and the deployment production served before) an {@code inactive} status.
     */
    public static final Retirement REPLACED = new Retirement(StatusState.SUCCESS.wireName(), StatusState.INACTIVE.wireName(),
            "Replaced by deployment ");

    /** A branch's preview is removed: its live deployments become inactive, its queued ones are cancelled. */
    public static final PreviewStatuses PREVIEW_REMOVED = new PreviewStatuses(StatusState.SUCCESS.wireName(),
            StatusState.INACTIVE.wireName(), StatusState.ERROR.wireName());

    private PipelineStatuses() {
    }

    /**
     * Whether a deployment moving to a state reports it: only the first clone of the first attempt
     * says {@code in_progress}; a retry has said it already.
     *
     * @param status the state the deployment moves to
     * @param attempt the attempt
     * @return true when {@link #building} is written
     */
    public static boolean reportsProgress(DeploymentStatus status, int attempt) {
        return status == DeploymentStatus.CLONING && attempt == 1;
    }

    /**
     * A deployment started building.
     *
     * @param node the node building it
     * @param environment the deployment's environment
     * @return {@code in_progress}
     */
    public static NewStatus building(String node, String environment) {
        return NewStatus.byKiln(StatusState.IN_PROGRESS.wireName(), "Building on " + node, environment);
    }

    /**
     * A deployment is deployed and served at its URL.
     *
     * @param environment the deployment's environment
     * @param environmentUrl where it is served
     * @param logUrl its logs
     * @return {@code success}
     */
    public static NewStatus deployed(String environment, String environmentUrl, String logUrl) {
        return NewStatus.byKiln(StatusState.SUCCESS.wireName(), "Deployed", environment).withUrls(environmentUrl, logUrl)
                .retiring(REPLACED);
    }

    /**
     * A deployment failed.
     *
     * @param message why; its first line is the description
     * @param kilnFault true when Kiln (not the build) failed: {@code error} instead of {@code failure}
     * @param environment the deployment's environment
     * @return {@code error} or {@code failure}
     */
    public static NewStatus failed(String message, boolean kilnFault, String environment) {
        StatusState state = kilnFault ? StatusState.ERROR : StatusState.FAILURE;
        return NewStatus.byKiln(state.wireName(), firstLine(message), environment);
    }

    /**
     * A deployment was cancelled by request.
     *
     * @param environment the deployment's environment
     * @return {@code error}
     */
    public static NewStatus cancelled(String environment) {
        return NewStatus.byKiln(StatusState.ERROR.wireName(), "Deployment cancelled", environment);
    }

    /**
     * A deployment became the active one by hand (rollback, promote).
     *
     * @param description why
     * @param environment the deployment's environment
     * @param environmentUrl where it is served
     * @param logUrl its logs
     * @return {@code success}
     */
    public static NewStatus activated(String description, String environment, String environmentUrl, String logUrl) {
        return NewStatus.byKiln(StatusState.SUCCESS.wireName(), description, environment).withUrls(environmentUrl, logUrl)
                .retiring(REPLACED);
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
