package dev.kiln.core.github;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.core.github.GithubError.FieldError;
import dev.kiln.core.store.StatusStore;
import dev.kiln.core.store.StatusStore.Creator;
import dev.kiln.core.store.StatusStore.NewStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * The body of "create a deployment status", read as GitHub reads it: unknown fields are ignored,
 * a JSON {@code null} is the field's default, and every invalid field is named in one 422.
 */
final class StatusRequest {

    /** GitHub's limit on an environment name. */
    static final int MAX_ENVIRONMENT = 255;

    private StatusRequest() {
    }

    /**
     * Parses a request body.
     *
     * @param body the raw body, or null
     * @return the JSON object; an empty body is an empty object (which then lacks {@code state})
     */
    static JsonObject object(Buffer body) {
        if (body == null || body.length() == 0 || body.toString().isBlank()) {
            return new JsonObject();
        }
        Object parsed;
        try {
            parsed = Json.decodeValue(body);
        } catch (DecodeException e) {
            throw GithubError.problemsParsingJson();
        }
        if (parsed instanceof JsonObject object) {
            return object;
        }
        throw GithubError.notAnObject();
    }

    /**
     * Validates a body into a status to write.
     *
     * @param body the JSON object
     * @param creator the token that posts it
     * @return the status
     */
    static NewStatus status(JsonObject body, Creator creator) {
        List<FieldError> errors = new ArrayList<>();
        Object state = body.getValue("state");
        if (state == null) {
            errors.add(FieldError.missing("state"));
        } else if (!(state instanceof String name) || !StatusState.isKnown(name)) {
            errors.add(FieldError.invalid("state"));
        }
        String targetUrl = text(body, "target_url", errors);
        String logUrl = text(body, "log_url", errors);
        String description = text(body, "description", errors);
        String environment = text(body, "environment", errors);
        String environmentUrl = text(body, "environment_url", errors);
        Object autoInactive = body.getValue("auto_inactive");
        if (autoInactive != null && !(autoInactive instanceof Boolean)) {
            errors.add(FieldError.invalid("auto_inactive"));
        }
        if (description != null && description.codePointCount(0, description.length()) > StatusStore.MAX_DESCRIPTION) {
            errors.add(FieldError.custom("description",
                    "description is too long (maximum is " + StatusStore.MAX_DESCRIPTION + " characters)"));
        }
        if (environment != null && environment.codePointCount(0, environment.length()) > MAX_ENVIRONMENT) {
            errors.add(FieldError.custom("environment", "environment is too long (maximum is " + MAX_ENVIRONMENT + " characters)"));
        }
        if (!errors.isEmpty()) {
            throw GithubError.validationFailed(errors);
        }
        // GitHub keeps one URL: log_url replaces target_url, and either one sets both.
        String url = logUrl != null && !logUrl.isEmpty() ? logUrl : targetUrl == null ? "" : targetUrl;
        return new NewStatus((String) state, description, environment == null || environment.isBlank() ? null : environment,
                url, url, environmentUrl, creator,
                // GitHub: only a success with auto_inactive (true unless sent false) retires earlier ones.
                StatusState.SUCCESS.wireName().equals(state) && (autoInactive == null || (Boolean) autoInactive)
                        ? PipelineStatuses.REPLACED : null);
    }

    /** A string field, or null when absent or JSON null; anything else is invalid. */
    private static String text(JsonObject body, String field, List<FieldError> errors) {
        Object value = body.getValue(field);
        if (value == null) {
            return null;
        }
        // PostgreSQL text cannot hold NUL.
        if (!(value instanceof String text) || text.indexOf('\0') >= 0) {
            errors.add(FieldError.invalid(field));
            return null;
        }
        return text;
    }
}
