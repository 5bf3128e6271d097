package dev.kiln.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.json.JsonObject;

/** Kiln's API as the benchmarks call it: projects, triggers, a deployment's status and its live log stream. */
final class KilnClient {

    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z]+)\"");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String api;
    private final String token;

    /**
     * A client of one node.
     *
     * @param url the node's base URL
     * @param token an admin token
     */
    KilnClient(String url, String token) {
        this.api = url.replaceAll("/+$", "") + "/api/v1/public";
        this.token = token;
    }

    /**
     * Sends a request and returns the response as it is.
     *
     * @param method the method
     * @param path the path under {@code /api/v1/public}
     * @param body a JSON body, or null
     * @return the response
     * @throws Exception on I/O failure
     */
    HttpResponse<String> send(String method, String path, JsonObject body) throws Exception {
        HttpRequest request = request(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends a request that must answer with the status given, and returns the envelope's {@code data}.
     *
     * @param method the method
     * @param path the path under {@code /api/v1/public}
     * @param body a JSON body, or null
     * @param status the expected status
     * @return the data object
     * @throws Exception on I/O failure or another status
     */
    JsonObject data(String method, String path, JsonObject body, int status) throws Exception {
        HttpResponse<String> response = send(method, path, body);
        if (response.statusCode() != status) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return new JsonObject(response.body()).getJsonObject("data");
    }

    /**
     * Creates a project.
     *
     * @param project its fields
     * @return its id
     * @throws Exception on failure
     */
    long createProject(JsonObject project) throws Exception {
        return data("POST", "/projects", project, 201).getLong("id");
    }

    /**
     * Triggers a deployment.
     *
     * @param projectId the project
     * @return the deployment's id
     * @throws Exception on failure
     */
    long trigger(long projectId) throws Exception {
        return data("POST", "/projects/" + projectId + "/deployments", null, 201).getLong("id");
    }

    /**
     * Polls a deployment until it reaches one of the statuses; {@code failed} or {@code cancelled} ends the benchmark.
     *
     * @param projectId the project
     * @param deploymentId the deployment
     * @param pollMillis the pause between two reads
     * @param statuses what to wait for
     * @return the deployment
     * @throws Exception on failure
     */
    JsonObject awaitStatus(long projectId, long deploymentId, long pollMillis, String... statuses) throws Exception {
        List<String> wanted = List.of(statuses);
        while (true) {
            JsonObject deployment = data("GET", "/projects/" + projectId + "/deployments/" + deploymentId, null, 200);
            String status = deployment.getString("status");
            if (wanted.contains(status)) {
                return deployment;
            }
            if ("failed".equals(status) || "cancelled".equals(status)) {
                throw new IllegalStateException("deployment ended " + status + ": " + deployment);
            }
            Thread.sleep(pollMillis);
        }
    }

    /**
     * Follows a deployment's live log ({@code .../logs/stream}, server-sent events) until {@code event: end}.
     *
     * @param projectId the project
     * @param deploymentId the deployment
     * @param firstLine told the number of the first log line the stream sent
     * @return the final status the end event names
     * @throws Exception on failure, or when the stream closes without an end
     */
    String follow(long projectId, long deploymentId, IntConsumer firstLine) throws Exception {
        String path = "/projects/" + projectId + "/deployments/" + deploymentId + "/logs/stream";
        HttpResponse<InputStream> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("stream: " + response.statusCode());
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            boolean end = false;
            boolean first = true;
            for (String line; (line = reader.readLine()) != null; ) {
                if (first && line.startsWith("id: ")) {
                    first = false;
                    firstLine.accept(Integer.parseInt(line.substring(4).trim()));
                }
                if (line.equals("event: end")) {
                    end = true;
                } else if (end && line.startsWith("data:")) {
                    Matcher matcher = STATUS.matcher(line);
                    String status = matcher.find() ? matcher.group(1) : line;
                    // drain to the end of the response so the connection can be reused
                    while (reader.readLine() != null) {
                    }
                    return status;
                }
            }
        }
        throw new IllegalStateException("stream of deployment " + deploymentId + " closed without `event: end`");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(5));
    }
}
