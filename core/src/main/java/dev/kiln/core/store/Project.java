package dev.kiln.core.store;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A project as stored.
 *
 * @param id the id
 * @param settings what the user set
 * @param slug derived from the name, unique, used in site URLs
 * @param detectedFramework what detection found on the last build, or null
 * @param activeDeploymentId the deployment the production URL serves, or null
 * @param createdAt when created
 * @param updatedAt when last changed
 * @param triggers polling and previews
 * @param webhookSecret the secret webhook deliveries are signed with, or null when none was made (never shown)
 * @param pinnedBy the deployment a rollback pinned production to, or null when production follows the branch
 */
public record Project(
        long id,
        ProjectSettings settings,
        String slug,
        String detectedFramework,
        Long activeDeploymentId,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        TriggerSettings triggers,
        String webhookSecret,
        Long pinnedBy) {

    /**
     * The project's name.
     *
     * @return the name
     */
    public String name() {
        return settings.name();
    }

    /**
     * The project's build environment variables.
     *
     * @return the env map
     */
    public Map<String, String> env() {
        return settings.env();
    }
}
