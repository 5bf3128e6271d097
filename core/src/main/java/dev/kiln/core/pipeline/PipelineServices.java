package dev.kiln.core.pipeline;

import dev.kiln.core.git.GitMirrors;
import dev.kiln.core.metrics.KilnMetrics;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.LogStore;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.WorkQueue;

/**
 * What the pipeline works with: the queue and stores, the git mirrors, the plugins and the URLs.
 *
 * @param queue the work queue
 * @param deployments deployments
 * @param projects projects
 * @param logs log storage
 * @param git the git mirrors
 * @param plugins builders and storage targets
 * @param urls public URLs
 * @param sandbox what every build process runs in
 * @param metrics the node's meters
 */
public record PipelineServices(WorkQueue queue, DeploymentStore deployments, ProjectStore projects, LogStore logs,
                               GitMirrors git, PluginHost plugins, PublicUrls urls, BuildSandbox sandbox, KilnMetrics metrics) {
}
