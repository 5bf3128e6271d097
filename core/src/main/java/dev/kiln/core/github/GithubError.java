package dev.kiln.core.github;

import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An error answered in GitHub's shape: {@code {"message", "errors"?, "documentation_url", "status"}}.
 * The messages are GitHub's own, because clients match on them.
 */
final class GithubError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient List<FieldError> errors;

    private GithubError(int status, String message, List<FieldError> errors) {
        super(message, null, false, false);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    /**
     * One entry of a 422's {@code errors}.
     *
     * @param field the body field
     * @param code GitHub's code: {@code missing_field}, {@code invalid} or {@code custom}
     * @param message a sentence, for {@code custom} only; null otherwise
     */
    record FieldError(String field, String code, String message) {

        static FieldError missing(String field) {
            return new FieldError(field, "missing_field", null);
        }

        static FieldError invalid(String field) {
            return new FieldError(field, "invalid", null);
        }

        static FieldError custom(String field, String message) {
            return new FieldError(field, "custom", message);
        }

        JsonObject json() {
            JsonObject json = new JsonObject().put("resource", "DeploymentStatus").put("field", field).put("code", code);
            if (message != null) {
                json.put("message", message);
            }
            return json;
        }
    }

    static GithubError notFound() {
        return new GithubError(404, "Not Found", List.of());
    }

    static GithubError requiresAuthentication() {
        return new GithubError(401, "Requires authentication", List.of());
    }

    static GithubError badCredentials() {
        return new GithubError(401, "Bad credentials", List.of());
    }

    static GithubError notAccessible() {
        return new GithubError(403, "Resource not accessible by personal access token", List.of());
    }

    static GithubError problemsParsingJson() {
        return new GithubError(400, "Problems parsing JSON", List.of());
    }

    static GithubError notAnObject() {
        return new GithubError(400, "Body should be a JSON object", List.of());
    }

    static GithubError tooLarge() {
        return new GithubError(413, "Payload Too Large", List.of());
    }

    static GithubError validationFailed(List<FieldError> errors) {
        return new GithubError(422, "Validation Failed", errors);
    }

    /** Too many wrong tokens from the client's address: 429 (GitHub's words for the same refusal). */
    static GithubError loginAttemptsExceeded() {
        return new GithubError(429, "Maximum number of login attempts exceeded. Please try again later.", List.of());
    }

    static GithubError unavailable() {
        return new GithubError(503, "Service Unavailable", List.of());
    }

    static GithubError serverError() {
        return new GithubError(500, "Server Error", List.of());
    }

    int status() {
        return status;
    }

    JsonObject body(String documentationUrl) {
        JsonObject body = new JsonObject().put("message", getMessage());
        if (!errors.isEmpty()) {
            JsonArray list = new JsonArray();
            errors.forEach(error -> list.add(error.json()));
            body.put("errors", list);
        }
        return body.put("documentation_url", documentationUrl).put("status", String.valueOf(status));
    }
}
