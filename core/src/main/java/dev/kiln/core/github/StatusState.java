package dev.kiln.core.github;

import java.util.Arrays;

/**
 * GitHub's deployment status states, as its API accepts them: the one list of them in Kiln. The
 * store keeps a state as the text given here.
 */
public enum StatusState {

    /** Kiln failed (not the build), or the deployment was cancelled. */
    ERROR("error"),
    /** The build failed. */
    FAILURE("failure"),
    /** Was live, is no longer. */
    INACTIVE("inactive"),
    /** Being built. */
    IN_PROGRESS("in_progress"),
    /** Waiting to run. */
    QUEUED("queued"),
    /** Not started. */
    PENDING("pending"),
    /** Live. */
    SUCCESS("success");

    private final String wireName;

    StatusState(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The state as GitHub spells it.
     *
     * @return for example {@code in_progress}
     */
    public String wireName() {
        return wireName;
    }

    /**
     * Whether GitHub knows a state.
     *
     * @param name the state as sent
     * @return true for one of the states
     */
    public static boolean isKnown(String name) {
        return Arrays.stream(values()).anyMatch(state -> state.wireName.equals(name));
    }
}
