package dev.kiln.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.git.GitException;
import dev.kiln.core.git.GitMirrors;
import dev.kiln.core.git.RemoteHeads;
import dev.kiln.core.pipeline.DeploymentService.Trigger;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.ProjectPolls;
import dev.kiln.core.store.ProjectStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Polls the remotes of projects with {@code poll_interval_seconds} and deploys new commits of the
 * production branch (and of preview branches, when the project takes previews of them). Every node
 * runs one; a lease per project in PostgreSQL makes exactly one node poll each project. A remote
 * that fails is logged and retried with a growing back-off, and a lease held by a node that died
 * runs out, so no project stays unpolled.
 */
public final class Poller extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    private static final long TICK_MILLIS = 1_000;
    /** Longer than the remote time-out plus resolving and creating the deployments. */
    private static final int LEASE_SECONDS = 180;
    private static final int MAX_BACKOFF_SECONDS = 3600;
    private static final int PROJECTS_PER_TICK = 8;

    private final String nodeId;
    private final ProjectPolls polls;
    private final ProjectStore projects;
    private final DeploymentStore deployments;
    private final GitMirrors git;
    private final DeploymentService service;
    private boolean polling;

    /**
     * A poller.
     *
     * @param nodeId this node
     * @param polls the poll leases
     * @param services the stores and mirrors
     * @param service where deployments are created
     */
    public Poller(String nodeId, ProjectPolls polls, PipelineServices services, DeploymentService service) {
        this.nodeId = nodeId;
        this.polls = polls;
        this.projects = services.projects();
        this.deployments = services.deployments();
        this.git = services.git();
        this.service = service;
    }

    @Override
    public Future<?> start() {
        vertx.setPeriodic(TICK_MILLIS, id -> tick());
        return Future.succeededFuture();
    }

    private void tick() {
        if (polling) {
            return;
        }
        polling = true;
        polls.claimDue(nodeId, LEASE_SECONDS, PROJECTS_PER_TICK)
                .compose(leases -> Future.join(leases.stream().map(this::poll).toList()))
                .onComplete(done -> {
                    polling = false;
                    if (done.failed()) {
                        LOG.warn("Polling failed: {}", done.cause().getMessage());
                    }
                });
    }

    private Future<Void> poll(ProjectPolls.Lease lease) {
        return projects.find(lease.projectId()).compose(found -> {
            if (found.isEmpty() || found.get().triggers().pollIntervalSeconds() == null) {
                return polls.polled(lease.projectId(), nodeId, Map.of(), 60);
            }
            Project project = found.get();
            int interval = project.triggers().pollIntervalSeconds();
            return vertx.<RemoteHeads>executeBlocking(() -> git.remoteHeads(project.settings().repoUrl()), false)
                    .compose(heads -> deployments.newestCommits(project.id())
                            .compose(deployed -> act(project, lease.heads(), heads.branches(), deployed))
                            .map(done -> heads))
                    .compose(heads -> polls.polled(project.id(), nodeId, heads.branches(), interval))
                    .recover(error -> {
                        int backoff = (int) Math.min(MAX_BACKOFF_SECONDS, (long) interval << Math.min(lease.failures() + 1, 20));
                        String message = error instanceof GitException || error.getMessage() != null ? error.getMessage() : error.toString();
                        LOG.warn("Polling project {} failed (retry in {}s): {}", project.id(), backoff, message);
                        return polls.failed(project.id(), nodeId, message, backoff);
                    });
        });
    }

    /** Deploys each wanted branch whose tip is new, removes the previews of branches that are gone. */
    private Future<Void> act(Project project, Map<String, String> seen, Map<String, String> heads, Map<String, String> deployed) {
        List<Future<?>> actions = new ArrayList<>();
        heads.forEach((branch, sha) -> {
            boolean production = Environments.isProduction(project, branch);
            if (sha.equals(deployed.get(branch)) || seen != null && sha.equals(seen.get(branch))) {
                return;
            }
            // Before the first poll every branch looks new: only production, and previews already deployed, follow it.
            if (!production && (seen == null && !deployed.containsKey(branch) || !Environments.previewWanted(project, branch))) {
                return;
            }
            actions.add(service.deployCommit(project, branch, sha, null, Trigger.POLL).onSuccess(outcome -> Optional
                    .ofNullable(outcome.deployment())
                    .ifPresent(deployment -> LOG.info("Poll found {} on {} of project {}: deployment {}", sha, branch, project.id(),
                            deployment.id()))));
        });
        if (seen != null) {
            seen.keySet().stream().filter(branch -> !heads.containsKey(branch))
                    .forEach(branch -> actions.add(service.removePreview(project, branch, "branch deleted")));
        }
        return Future.all(actions).mapEmpty();
    }
}
