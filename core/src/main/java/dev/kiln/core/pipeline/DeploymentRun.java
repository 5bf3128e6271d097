package dev.kiln.core.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kiln.core.plugins.BuilderLease;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.DeploymentStatus;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.WorkQueue.Claim;
import dev.kiln.plugin.api.Builder;

/** One run of a claimed deployment: its mutable state, confined to the run and its phases. */
final class DeploymentRun {
    final Claim claim;
    final AtomicBoolean cancelled;
    Deployment deployment;
    Project project;
    DeploymentLog log;
    Redactor redactor = Redactor.NONE;
    java.util.Set<String> secretKeys = java.util.Set.of();
    Path workspace;
    Builder builder;
    BuilderLease lease;
    ProcessCommandRunner commands;
    final List<String> warnings = new ArrayList<>();
    // The phase this attempt is in and since when, for the phase durations the metrics keep.
    DeploymentStatus phase;
    long phaseStartedNanos;

    DeploymentRun(Claim claim, AtomicBoolean cancelled) {
        this.claim = claim;
        this.cancelled = cancelled;
    }
}
