package dev.kiln.core.pipeline;

import java.util.Locale;
import java.util.regex.Pattern;

import dev.kiln.core.KilnException;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.DeploymentStatus;
import dev.kiln.core.store.ActiveDeployments.ActiveChange;

/**
 * What must hold before a deployment is cancelled or becomes the active one again (rollback, promote), and which
 * commits ask not to be deployed. The store checks these under the project's lock.
 */
final class DeploymentRules {

    // What CI systems commonly honour, and Kiln's own marker.
    private static final Pattern SKIP = Pattern.compile("\\[(skip ci|ci skip|kiln skip|skip kiln)]");

    private DeploymentRules() {
    }

    /** Rollback: to a deployed production deployment with its files, not the active one, nothing in progress. */
    static void rollback(ActiveChange change) {
        Deployment target = change.target();
        servable(target, "rolled back to");
        if (change.activeId() != null && change.activeId() == target.id()) {
            throw KilnException.invalid("deployment_id", "deployment " + target.id() + " is already the active deployment");
        }
        if (change.inProgressId() != null) {
            throw KilnException.conflict("deployment " + change.inProgressId() + " of this project is in progress; "
                    + "roll back when it has finished or cancel it");
        }
    }

    /** Cancel: only a queued or running deployment. */
    static void cancel(Deployment deployment) {
        if (!deployment.status().inProgress()) {
            throw KilnException.conflict("deployment " + deployment.id() + " is "
                    + deployment.status().wireName() + "; only a queued or running deployment can be cancelled");
        }
    }

    /** Deleting a project: not while one of its deployments is in progress. */
    static void deleteProject(long projectId, long inProgress) {
        if (inProgress > 0) {
            throw KilnException.conflict("project " + projectId + " has a deployment in progress; cancel it or wait for it to finish");
        }
    }

    /** Promote: any deployed production deployment with its files; it also lets go of a pin. */
    static void promote(ActiveChange change) {
        servable(change.target(), "promoted");
    }

    private static void servable(Deployment target, String what) {
        if (target.status() != DeploymentStatus.DEPLOYED) {
            throw KilnException.invalid("deployment_id", "deployment " + target.id() + " is " + target.status().wireName()
                    + "; only a deployed deployment can be " + what);
        }
        if (!Environments.PRODUCTION.equals(target.environment())) {
            throw KilnException.invalid("deployment_id", "deployment " + target.id() + " is a preview of branch '"
                    + target.branch() + "'; only deployments of the production branch can be " + what);
        }
        if (target.pruned()) {
            throw KilnException.invalid("deployment_id", "deployment " + target.id() + " was pruned; its files are gone");
        }
    }

    /** Whether a deployment of a commit stands for it: queued, running or deployed, not failed or cancelled. */
    static boolean stillCounts(Deployment deployment) {
        return deployment.status() != DeploymentStatus.FAILED && deployment.status() != DeploymentStatus.CANCELLED;
    }

    /**
     * Whether a commit message asks not to be deployed.
     *
     * @param message the message, or null
     * @return true for {@code [skip ci]}, {@code [ci skip]}, {@code [kiln skip]}
     */
    static boolean skipRequested(String message) {
        return message != null && SKIP.matcher(message.toLowerCase(Locale.ROOT)).find();
    }
}
