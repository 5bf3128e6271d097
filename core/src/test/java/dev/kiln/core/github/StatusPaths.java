package dev.kiln.core.github;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The statuses endpoints of one deployment, reached by one of the two path sets, for tests.
 */
final class StatusPaths {

    /** The two ways to name a deployment. */
    enum PathSet {
        /** {@code /api/v1/public/projects/{id}/deployments/{deployment_id}}, with {@code Bearer}. */
        KILN,
        /** {@code /api/v3/repos/{owner}/{repo}/deployments/{deployment_id}}, with {@code token}. */
        GITHUB
    }

    private final TestKiln kiln;
    private final PathSet set;
    private final String deploymentPath;

    private StatusPaths(TestKiln kiln, PathSet set, String deploymentPath) {
        this.kiln = kiln;
        this.set = set;
        this.deploymentPath = deploymentPath;
    }

    static StatusPaths of(TestKiln kiln, PathSet set, long projectId, String ownerAndRepo, long deploymentId) {
        return new StatusPaths(kiln, set, set == PathSet.KILN
                ? "/api/v1/public/projects/" + projectId + "/deployments/" + deploymentId
                : "/api/v3/repos/" + ownerAndRepo + "/deployments/" + deploymentId);
    }

    /** The absolute URL of the deployment on this path set. */
    String deploymentUrl() {
        return kiln.baseUrl() + deploymentPath;
    }

    String statusesPath() {
        return deploymentPath + "/statuses";
    }

    Response list(String query) throws Exception {
        return send("GET", statusesPath() + (query == null ? "" : "?" + query), TestKiln.ADMIN, null);
    }

    JsonArray listAll() throws Exception {
        Response response = list("per_page=100");
        if (response.status() != 200) {
            throw new AssertionError("list failed: " + response.status() + " " + response.body());
        }
        return new JsonArray(response.body());
    }

    Response create(JsonObject body) throws Exception {
        return send("POST", statusesPath(), TestKiln.ADMIN, body.encode());
    }

    JsonObject created(JsonObject body) throws Exception {
        Response response = create(body);
        if (response.status() != 201) {
            throw new AssertionError("create failed: " + response.status() + " " + response.body());
        }
        return response.json();
    }

    Response get(String statusId) throws Exception {
        return send("GET", statusesPath() + "/" + statusId, TestKiln.ADMIN, null);
    }

    /** A request with a token in the path set's customary scheme, or none. */
    Response send(String method, String path, String token, String body) throws Exception {
        Map<String, String> headers = new HashMap<>();
        if (token != null) {
            headers.put("Authorization", (set == PathSet.KILN ? "Bearer " : "token ") + token);
        }
        return kiln.send(method, path, headers, body);
    }

    Response sendRaw(String method, String path, Map<String, String> headers, String body) throws Exception {
        return kiln.send(method, path, headers, body);
    }

    /** States of a list answer, in order. */
    static List<String> states(JsonArray statuses) {
        return statuses.stream().map(status -> ((JsonObject) status).getString("state")).toList();
    }
}
