package dev.kiln.core.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.kiln.core.KilnException;
import dev.kiln.core.git.RepoUrlRules;
import dev.kiln.core.pipeline.Redactor;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.store.ProjectSettings;
import dev.kiln.core.store.TriggerSettings;
import dev.kiln.core.store.TriggerSettings.PreviewBranches;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Turns create and update bodies into validated {@link ProjectSettings}. */
final class ProjectRequests {

    private static final Set<String> WRITABLE = Set.of("name", "repo_url", "default_branch", "builder", "install_command",
            "build_command", "output_directory", "root_directory", "builder_options", "env", "storage", "build_timeout_seconds",
            "poll_interval_seconds", "preview_branches", "is_spa", "node_version");
    // Fields a client may send back from a GET; they are ignored, not errors.
    private static final Set<String> READ_ONLY = Set.of("id", "slug", "detected_framework", "production_url",
            "active_deployment_id", "created_at", "updated_at", "webhook_url", "webhook_secret_set", "production_pinned",
            "production_pinned_by");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern OPTION_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_COMMAND = 4096;
    private static final int MAX_PATH = 1024;
    private static final int MAX_URL = 2048;
    private static final int MAX_ENV_VALUE = 64 * 1024;
    private static final int MAX_OPTION_VALUE = 4096;
    private static final int MAX_ENTRIES = 200;
    static final int MAX_TIMEOUT_SECONDS = 24 * 3600;

    private final PluginHost plugins;

    ProjectRequests(PluginHost plugins) {
        this.plugins = plugins;
    }

    ProjectSettings create(JsonObject body) {
        checkFields(body);
        return new ProjectSettings(
                requiredString(body, "name", 100),
                repoUrl(body.getValue("repo_url")),
                branchOr(body, "default_branch", "main"),
                builder(body.getValue("builder")),
                optionalString(body, "install_command", MAX_COMMAND),
                optionalString(body, "build_command", MAX_COMMAND),
                relativePath(body, "output_directory"),
                relativePath(body, "root_directory"),
                stringMap(body, "builder_options", OPTION_NAME, Map.of()),
                stringMap(body, "env", ENV_NAME, Map.of()),
                storage(body.containsKey("storage") ? body.getValue("storage") : "local"),
                timeout(body, ProjectSettings.DEFAULT_BUILD_TIMEOUT_SECONDS),
                optionalBoolean(body, "is_spa"),
                nodeVersion(body));
    }

    ProjectSettings update(ProjectSettings current, JsonObject body) {
        checkFields(body);
        return new ProjectSettings(
                body.containsKey("name") ? requiredString(body, "name", 100) : current.name(),
                // Sending back the masked URL of a GET keeps the stored credentials.
                body.containsKey("repo_url") && !RepoUrlRules.masked(current.repoUrl(), Redactor.MASK).equals(body.getValue("repo_url"))
                        ? repoUrl(body.getValue("repo_url")) : current.repoUrl(),
                body.containsKey("default_branch") ? branchOr(body, "default_branch", "main") : current.defaultBranch(),
                body.containsKey("builder") ? builder(body.getValue("builder")) : current.builder(),
                body.containsKey("install_command") ? optionalString(body, "install_command", MAX_COMMAND) : current.installCommand(),
                body.containsKey("build_command") ? optionalString(body, "build_command", MAX_COMMAND) : current.buildCommand(),
                body.containsKey("output_directory") ? relativePath(body, "output_directory") : current.outputDirectory(),
                body.containsKey("root_directory") ? relativePath(body, "root_directory") : current.rootDirectory(),
                body.containsKey("builder_options") ? stringMap(body, "builder_options", OPTION_NAME, Map.of()) : current.builderOptions(),
                body.containsKey("env") ? stringMap(body, "env", ENV_NAME, current.env()) : current.env(),
                body.containsKey("storage") ? storage(body.getValue("storage")) : current.storage(),
                body.containsKey("build_timeout_seconds") ? timeout(body, current.buildTimeoutSeconds()) : current.buildTimeoutSeconds(),
                body.containsKey("is_spa") ? optionalBoolean(body, "is_spa") : current.isSpa(),
                body.containsKey("node_version") ? nodeVersion(body) : current.nodeVersion());
    }

    TriggerSettings triggers(JsonObject body, TriggerSettings current) {
        Integer poll = current.pollIntervalSeconds();
        if (body.containsKey("poll_interval_seconds")) {
            Object value = body.getValue("poll_interval_seconds");
            if (value == null) {
                poll = null;
            } else if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= TriggerSettings.MIN_POLL_SECONDS
                    && ((Number) value).longValue() <= MAX_TIMEOUT_SECONDS) {
                poll = ((Number) value).intValue();
            } else {
                throw KilnException.invalid("poll_interval_seconds", "must be null (no polling) or a whole number of seconds from "
                        + TriggerSettings.MIN_POLL_SECONDS + " to " + MAX_TIMEOUT_SECONDS);
            }
        }
        PreviewBranches previews = current.previewBranches();
        if (body.containsKey("preview_branches")) {
            previews = previewBranches(body.getValue("preview_branches"));
        }
        return new TriggerSettings(poll, previews);
    }

    private static PreviewBranches previewBranches(Object value) {
        if (value == null || "all".equals(value)) {
            return PreviewBranches.ALL;
        }
        if ("none".equals(value)) {
            return PreviewBranches.NONE;
        }
        if (value instanceof JsonArray patterns && !patterns.isEmpty() && patterns.size() <= MAX_ENTRIES) {
            List<String> list = new ArrayList<>();
            for (Object pattern : patterns) {
                if (!(pattern instanceof String text) || text.isBlank() || text.length() > 255
                        || text.chars().anyMatch(c -> c <= ' ' || c == 127)) {
                    throw KilnException.invalid("preview_branches", "each pattern must be a non-empty branch glob such as 'feature/*'");
                }
                list.add(text);
            }
            return new PreviewBranches(false, list);
        }
        throw KilnException.invalid("preview_branches", "must be \"all\", \"none\" or a list of branch globs such as [\"feature/*\"]");
    }

    private static void checkFields(JsonObject body) {
        for (String field : body.fieldNames()) {
            if (!WRITABLE.contains(field) && !READ_ONLY.contains(field)) {
                throw KilnException.invalid(Requests.printable(field, 80), "unknown field; writable fields are " + WRITABLE.stream().sorted().toList());
            }
        }
    }

    private static String requiredString(JsonObject body, String field, int maxLength) {
        Object value = body.getValue(field);
        if (!(value instanceof String text) || text.isBlank()) {
            throw KilnException.invalid(field, "is required and must be a non-empty string");
        }
        return Requests.singleLine(field, text, maxLength).trim();
    }

    /** A command: several lines are fine. */
    private static String optionalString(JsonObject body, String field, int maxLength) {
        Object value = body.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw KilnException.invalid(field, "must be a string or null");
        }
        Requests.multiLine(field, text, maxLength);
        return text.isBlank() ? null : text;
    }

    private static Boolean optionalBoolean(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        throw KilnException.invalid(field, "must be true, false, or null for the default");
    }

    /** A Node.js version or range; a whole number is read as a major version; null or blank clears it. */
    private static String nodeVersion(JsonObject body) {
        Object value = body.getValue("node_version");
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long) {
            value = value.toString();
        }
        if (!(value instanceof String text)) {
            throw KilnException.invalid("node_version", "must be a string such as \"20\" or \">=18 <21\", or null to follow the repository");
        }
        Requests.singleLine("node_version", text, NodeVersionSyntax.MAX_LENGTH);
        String version = text.trim();
        if (version.isEmpty()) {
            return null;
        }
        if (!NodeVersionSyntax.isValid(version)) {
            throw KilnException.invalid("node_version", "'" + Requests.printable(version, NodeVersionSyntax.MAX_LENGTH)
                    + "' is not a Node.js version or range; use a version such as 20, 20.11.1 or v18, or a range such as ^20, "
                    + "18.x or >=18 <21 (aliases such as lts/* are not resolved)");
        }
        return version;
    }

    private static String repoUrl(Object value) {
        if (!(value instanceof String url) || url.isBlank()) {
            throw KilnException.invalid("repo_url", "is required: an https://, ssh://, git@ or file:// Git URL");
        }
        Requests.singleLine("repo_url", url, MAX_URL);
        RepoUrlRules.validateUrl(url.trim()).ifPresent(problem -> {
            throw KilnException.invalid("repo_url", problem);
        });
        return url.trim();
    }

    static String branchOr(JsonObject body, String field, String fallback) {
        Object value = body.getValue(field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String branch) || !validBranch(branch)) {
            throw KilnException.invalid(field, "must be a valid Git branch name");
        }
        return branch;
    }

    static boolean validBranch(String branch) {
        return !branch.isBlank() && branch.length() <= 255 && !branch.startsWith("-") && !branch.startsWith("/")
                && !branch.endsWith("/") && !branch.endsWith(".lock") && !branch.contains("..") && !branch.contains("@{")
                && !branch.contains("//") && branch.chars().noneMatch(c -> c <= ' ' || c == 127 || "~^:?*[\\".indexOf(c) >= 0);
    }

    private String builder(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String id) || !ID.matcher(id).matches()) {
            throw KilnException.invalid("builder", "must be a builder id such as 'static' or 'npm', or null to detect");
        }
        if (plugins.builder(id).isEmpty()) {
            throw KilnException.invalid("builder", "no builder '" + id + "' is installed; installed builders: "
                    + plugins.builderIds().stream().sorted().toList());
        }
        return id;
    }

    private String storage(Object value) {
        if (!(value instanceof String id) || !ID.matcher(id).matches()) {
            throw KilnException.invalid("storage", "must be a storage target id such as 'local'");
        }
        if (plugins.storage(id).isEmpty()) {
            throw KilnException.invalid("storage", plugins.storageProblem(id) + "; usable targets: "
                    + plugins.storageIds().stream().sorted().toList());
        }
        return id;
    }

    /**
     * A directory inside the checkout, normalised: {@code ./a//b/} is {@code a/b}; a name may
     * repeat ({@code dist/dist}); {@code ..}, absolute paths and backslashes are refused.
     */
    static String relativePath(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String path)) {
            throw KilnException.invalid(field, "must be a string or null");
        }
        Requests.singleLine(field, path, MAX_PATH);
        if (path.startsWith("/") || path.contains("\\")) {
            throw KilnException.invalid(field, "must be a relative path inside the repository, with '/' between names");
        }
        List<String> names = new ArrayList<>();
        for (String name : path.split("/")) {
            if (name.equals("..")) {
                throw KilnException.invalid(field, "must be a path inside the repository, without '..'");
            }
            if (!name.isEmpty() && !name.equals(".")) {
                if (name.length() > 255) {
                    throw KilnException.invalid(field, "each name in the path must be at most 255 characters");
                }
                names.add(name);
            }
        }
        return names.isEmpty() ? null : String.join("/", names);
    }

    private static Map<String, String> stringMap(JsonObject body, String field, Pattern keyPattern, Map<String, String> current) {
        Object value = body.getValue(field);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof JsonObject object)) {
            throw KilnException.invalid(field, "must be an object of string values");
        }
        if (object.size() > MAX_ENTRIES) {
            throw KilnException.invalid(field, "must have at most " + MAX_ENTRIES + " entries");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String key : object.fieldNames()) {
            if (!keyPattern.matcher(key).matches()) {
                throw KilnException.invalid(field, "'" + Requests.printable(key, 80) + "' is not a valid name");
            }
            Object entry = object.getValue(key);
            if (entry instanceof String text) {
                Requests.multiLine(field + "." + key, text, field.equals("env") ? MAX_ENV_VALUE : MAX_OPTION_VALUE);
                // Sending back the masked value from a GET keeps the stored one.
                map.put(key, ("********".equals(text) || Redactor.MASK.equals(text)) && current.containsKey(key) ? current.get(key) : text);
            } else if (entry instanceof Number || entry instanceof Boolean) {
                map.put(key, String.valueOf(entry));
            } else {
                throw KilnException.invalid(field, "'" + key + "' must be a string");
            }
        }
        return map;
    }

    private static int timeout(JsonObject body, int fallback) {
        Object value = body.getValue("build_timeout_seconds");
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer || value instanceof Long) {
            long seconds = ((Number) value).longValue();
            if (seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS) {
                return (int) seconds;
            }
        }
        throw KilnException.invalid("build_timeout_seconds", "must be a whole number of seconds from 1 to " + MAX_TIMEOUT_SECONDS);
    }
}
