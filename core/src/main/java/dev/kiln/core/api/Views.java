package dev.kiln.core.api;

import dev.kiln.core.git.RepoUrlRules;
import dev.kiln.core.pipeline.Environments;
import dev.kiln.core.pipeline.Redactor;
import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.sites.SinglePageApps;
import dev.kiln.core.store.Deployment;
import dev.kiln.core.store.Project;
import dev.kiln.core.store.TriggerSettings;
import dev.kiln.core.store.TokenStore.Token;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The API's JSON shapes of Kiln's records. */
final class Views {

    private final PublicUrls urls;

    Views(PublicUrls urls) {
        this.urls = urls;
    }

    JsonObject project(Project project) {
        var settings = project.settings();
        JsonObject env = new JsonObject();
        // Values are secrets more often than not: say which keys are set, never what they hold.
        settings.env().keySet().stream().sorted().forEach(key -> env.put(key, Redactor.MASK));
        JsonObject options = new JsonObject();
        settings.builderOptions().forEach(options::put);
        return new JsonObject()
                .put("id", project.id())
                .put("name", settings.name())
                .put("slug", project.slug())
                .put("repo_url", RepoUrlRules.masked(settings.repoUrl(), Redactor.MASK))
                .put("default_branch", settings.defaultBranch())
                .put("builder", settings.builder())
                .put("detected_framework", project.detectedFramework())
                .put("install_command", settings.installCommand())
                .put("build_command", settings.buildCommand())
                .put("output_directory", settings.outputDirectory())
                .put("root_directory", settings.rootDirectory())
                .put("builder_options", options)
                .put("env", env)
                .put("storage", settings.storage())
                .put("build_timeout_seconds", settings.buildTimeoutSeconds())
                .put("is_spa", SinglePageApps.isSpa(settings.isSpa(), project.detectedFramework()))
                .put("node_version", settings.nodeVersion())
                .put("production_url", urls.productionUrl(project.slug()))
                .put("active_deployment_id", project.activeDeploymentId())
                .put("created_at", Responses.timestamp(project.createdAt()))
                .put("updated_at", Responses.timestamp(project.updatedAt()))
                .put("webhook_url", webhookUrl(project))
                .put("webhook_secret_set", project.webhookSecret() != null)
                .put("poll_interval_seconds", project.triggers().pollIntervalSeconds())
                .put("preview_branches", previewBranches(project.triggers().previewBranches()))
                .put("production_pinned", project.pinnedBy() != null)
                .put("production_pinned_by", project.pinnedBy());
    }

    String webhookUrl(Project project) {
        return urls.baseUrl() + "/hooks/" + project.id();
    }

    private static Object previewBranches(TriggerSettings.PreviewBranches branches) {
        if (branches.all()) {
            return "all";
        }
        return branches.patterns().isEmpty() ? "none" : new JsonArray(branches.patterns());
    }

    JsonObject deployment(Deployment deployment, Project project) {
        Long active = project.activeDeploymentId();
        return new JsonObject()
                .put("id", deployment.id())
                .put("project_id", deployment.projectId())
                .put("commit_sha", deployment.commitSha())
                .put("commit_message", deployment.commitMessage())
                .put("commit_author", deployment.commitAuthor())
                .put("branch", deployment.branch())
                .put("status", deployment.status().wireName())
                .put("deployment_url", urls.deploymentUrl(project.slug(), deployment.id()))
                .put("build_time_seconds", deployment.buildTimeMs() == null ? null : deployment.buildTimeMs() / 1000)
                .put("error_message", deployment.errorMessage())
                .put("created_at", Responses.timestamp(deployment.createdAt()))
                .put("deployed_at", Responses.timestamp(deployment.deployedAt()))
                .put("environment", deployment.environment())
                .put("trigger", deployment.trigger())
                .put("branch_url", Environments.branchUrl(urls, project, deployment))
                .put("active", active != null && active == deployment.id())
                .put("builder", deployment.builder())
                .put("node", deployment.node())
                .put("attempt", deployment.attempt())
                .put("build_time_ms", deployment.buildTimeMs())
                .put("started_at", Responses.timestamp(deployment.startedAt()))
                .put("finished_at", Responses.timestamp(deployment.finishedAt()))
                .put("pruned", deployment.pruned())
                .put("wait_reason", deployment.waitReason())
                .put("warnings", new JsonArray(deployment.warnings()));
    }

    static JsonObject token(Token token) {
        return new JsonObject()
                .put("id", token.id())
                .put("name", token.name())
                .put("admin", token.admin())
                .put("project_ids", token.projectIds() == null ? null : new JsonArray(token.projectIds()))
                .put("created_at", Responses.timestamp(token.createdAt()));
    }
}
