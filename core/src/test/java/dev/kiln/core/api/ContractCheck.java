package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;

/**
 * Holds real answers to Kiln's OpenAPI document: each response is matched to the document's
 * operation for its method and path, and its status, headers and body are validated against it.
 * Remembers which operations were exercised.
 */
final class ContractCheck implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final OpenAPIContract contract;
    private final ResponseValidator validator;
    private final Set<String> exercised = new TreeSet<>();
    private final JsonObject document;

    ContractCheck() throws Exception {
        try (InputStream in = ContractCheck.class.getResourceAsStream(OpenApiDocument.RESOURCE)) {
            document = new JsonObject(Buffer.buffer(in.readAllBytes()));
        }
        // vertx-openapi validates JSON and a few other media types and refuses documents that name
        // others (Server-Sent Events, jar uploads); it gets a copy where those read as bytes.
        contract = OpenAPIContract.from(vertx, (JsonObject) validatable(document.copy())).toCompletionStage().toCompletableFuture().get();
        validator = ResponseValidator.create(vertx, contract);
    }

    /**
     * Validates one answer.
     *
     * @param method the request's method
     * @param path the request's path, with any query
     * @param response the answer
     * @return the same answer
     */
    Response check(String method, String path, Response response) throws Exception {
        String plainPath = URI.create(path).getRawPath();
        Operation operation = contract.findOperation(plainPath, HttpMethod.valueOf(method));
        assertThat(operation).as("the document describes %s %s", method, plainPath).isNotNull();
        exercised.add(operation.getOperationId());
        String status = Integer.toString(response.status());
        var documented = operation.getResponse(response.status());
        assertThat(documented).as("%s %s documents the status %s (body %s)", method, plainPath, status, response.body()).isNotNull();
        String contentType = response.raw().headers().firstValue("Content-Type").orElse(null);
        if (contentType == null || !contentType.startsWith("application/json")) {
            // Only JSON bodies are validated; for others the status and content type are what the document says.
            JsonObject content = document.getJsonObject("paths").getJsonObject(operation.getOpenAPIPath())
                    .getJsonObject(method.toLowerCase(java.util.Locale.ROOT)).getJsonObject("responses").getJsonObject(status)
                    .getJsonObject("content");
            if (content != null && contentType != null) {
                String bare = contentType.split(";")[0].trim();
                assertThat(content.fieldNames()).as("%s %s %s answers a documented content type", method, plainPath, status)
                        .contains(bare);
            }
            return response;
        }
        Map<String, String> headers = new HashMap<>();
        response.raw().headers().map().forEach((name, values) -> headers.put(name, String.join(",", values)));
        ValidatableResponse validatable = response.body().isEmpty()
                ? ValidatableResponse.create(response.status(), headers)
                : ValidatableResponse.create(response.status(), headers, Buffer.buffer(response.body()), "application/json");
        try {
            validator.validate(validatable, operation.getOperationId()).toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw new AssertionError(method + " " + path + " answered " + status + " with a body the document does not allow: "
                    + e.getCause().getMessage() + "\n" + response.body(), e.getCause());
        }
        return response;
    }

    private static final Set<String> VALIDATED_TYPES = Set.of("application/json", "text/plain", "application/octet-stream");

    private static Object validatable(Object node) {
        if (node instanceof JsonObject object) {
            for (String key : Set.copyOf(object.fieldNames())) {
                Object value = object.getValue(key);
                if (key.equals("content") && value instanceof JsonObject content) {
                    JsonObject kept = new JsonObject();
                    content.forEach(entry -> kept.put(VALIDATED_TYPES.contains(entry.getKey()) ? entry.getKey() : "application/octet-stream",
                            validatable(entry.getValue())));
                    object.put(key, kept);
                } else {
                    validatable(value);
                }
            }
            return object;
        }
        if (node instanceof io.vertx.core.json.JsonArray array) {
            array.forEach(ContractCheck::validatable);
        }
        return node;
    }

    /** The document's operations that no check has exercised, less those named. */
    Set<String> unexercised(List<String> notYet) {
        Set<String> all = new TreeSet<>();
        contract.operations().forEach(operation -> all.add(operation.getOperationId()));
        all.removeAll(exercised);
        all.removeAll(notYet);
        return all;
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
