package dev.kiln.core.store;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The pipeline's states. A deployment moves forward through the first six, or ends in
 * {@link #FAILED} or {@link #CANCELLED} from any of the first five.
 */
public enum DeploymentStatus {
    QUEUED, CLONING, BUILDING, UPLOADING, DEPLOYING, DEPLOYED, FAILED, CANCELLED;

    /** The states of a deployment still in progress, as stored. */
    public static final List<String> IN_PROGRESS = Arrays.stream(values())
            .filter(DeploymentStatus::inProgress)
            .map(DeploymentStatus::wireName)
            .toList();

    /**
     * Whether work remains for a deployment in this state.
     *
     * @return true for queued through deploying
     */
    public boolean inProgress() {
        return ordinal() <= DEPLOYING.ordinal();
    }

    /**
     * The lower case name used in the API and the database.
     *
     * @return the name
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a stored name.
     *
     * @param name a lower case name
     * @return the status
     */
    public static DeploymentStatus of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
