package dev.kiln.core.store;

import java.util.LinkedHashMap;
import java.util.Map;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;

/** Mapping between rows and records, shared by the stores. */
final class Rows {

    static final String PROJECT_COLUMNS = "id, name, slug, repo_url, default_branch, builder, detected_framework, "
            + "install_command, build_command, output_directory, root_directory, builder_options, env, storage, "
            + "build_timeout_seconds, active_deployment_id, created_at, updated_at, repo_credentials, webhook_secret, "
            + "poll_interval_seconds, preview_branches, production_pinned_by, is_spa, node_version";

    static final String DEPLOYMENT_COLUMNS = "id, project_id, commit_sha, commit_message, commit_author, branch, "
            + "environment, status, builder, node, attempt, error_message, storage, artifact_key, pruned, "
            + "build_time_ms, created_at, started_at, deployed_at, finished_at, wait_reason, warnings, trigger, preview_removed";

    private Rows() {
    }

    static Project project(Row row) {
        ProjectSettings settings = new ProjectSettings(
                row.getString("name"),
                row.getString("repo_url"),
                row.getString("default_branch"),
                row.getString("builder"),
                row.getString("install_command"),
                row.getString("build_command"),
                row.getString("output_directory"),
                row.getString("root_directory"),
                stringMap(row.getJsonObject("builder_options")),
                stringMap(row.getJsonObject("env")),
                row.getString("storage"),
                row.getInteger("build_timeout_seconds"),
                row.getBoolean("is_spa"),
                row.getString("node_version"));
        return new Project(
                row.getLong("id"),
                settings,
                row.getString("slug"),
                row.getString("detected_framework"),
                row.getLong("active_deployment_id"),
                row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"),
                new TriggerSettings(row.getInteger("poll_interval_seconds"), previewBranches(row.getValue("preview_branches"))),
                row.getString("webhook_secret"),
                row.getLong("production_pinned_by"));
    }

    static TriggerSettings.PreviewBranches previewBranches(Object json) {
        if (json instanceof io.vertx.core.json.JsonArray patterns) {
            java.util.List<String> list = new java.util.ArrayList<>();
            patterns.forEach(pattern -> list.add(String.valueOf(pattern)));
            return new TriggerSettings.PreviewBranches(false, list);
        }
        return "none".equals(json) ? TriggerSettings.PreviewBranches.NONE : TriggerSettings.PreviewBranches.ALL;
    }

    static Object previewBranchesJson(TriggerSettings.PreviewBranches branches) {
        if (branches.all()) {
            return "all";
        }
        return branches.patterns().isEmpty() ? "none" : new io.vertx.core.json.JsonArray(branches.patterns());
    }

    static Deployment deployment(Row row) {
        return new Deployment(
                row.getLong("id"),
                row.getLong("project_id"),
                row.getString("commit_sha"),
                row.getString("commit_message"),
                row.getString("commit_author"),
                row.getString("branch"),
                row.getString("environment"),
                DeploymentStatus.of(row.getString("status")),
                row.getString("builder"),
                row.getString("node"),
                row.getInteger("attempt"),
                row.getString("error_message"),
                row.getString("storage"),
                row.getString("artifact_key"),
                row.getBoolean("pruned"),
                row.getLong("build_time_ms"),
                row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("started_at"),
                row.getOffsetDateTime("deployed_at"),
                row.getOffsetDateTime("finished_at"),
                row.getString("wait_reason"),
                java.util.Arrays.asList(row.getArrayOfStrings("warnings")),
                row.getString("trigger"),
                row.getBoolean("preview_removed"));
    }

    static Map<String, String> stringMap(JsonObject json) {
        Map<String, String> map = new LinkedHashMap<>();
        if (json != null) {
            json.forEach(entry -> map.put(entry.getKey(), String.valueOf(entry.getValue())));
        }
        return map;
    }

    static JsonObject json(Map<String, String> map) {
        JsonObject json = new JsonObject();
        map.forEach(json::put);
        return json;
    }

    static boolean isUniqueViolation(Throwable error, String constraintFragment) {
        return error instanceof PgException pg
                && "23505".equals(pg.getSqlState())
                && (pg.getConstraint() == null || pg.getConstraint().contains(constraintFragment)
                    || String.valueOf(pg.getDetail()).contains(constraintFragment));
    }

    static boolean isForeignKeyViolation(Throwable error) {
        return error instanceof PgException pg && "23503".equals(pg.getSqlState());
    }
}
