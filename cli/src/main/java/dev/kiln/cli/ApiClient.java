package dev.kiln.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Kiln's public API over HTTP, with the JDK's client. Answers come back as the envelope's
 * {@code data}; errors as {@link ApiError} with a message that says what to do.
 */
final class ApiClient {

    static final String BASE = "/api/v1/public";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final String server;
    private final String token;

    ApiClient(Config.Login login) {
        this.server = login.server();
        this.token = login.token();
    }

    String server() {
        return server;
    }

    /** An answer: its status and its parsed envelope. */
    record Answer(int status, Map<String, Object> envelope) {
        Object data() {
            return envelope.get("data");
        }

        Map<String, Object> object() {
            return Json.object(data());
        }

        List<Object> list() {
            return Json.array(data());
        }

        Map<String, Object> meta() {
            return Json.object(envelope.get("meta"));
        }
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer post(String path, Map<String, Object> body) {
        return send("POST", path, body == null ? null : Json.write(body));
    }

    Answer patch(String path, Map<String, Object> body) {
        return send("PATCH", path, Json.write(body));
    }

    Answer delete(String path) {
        return send("DELETE", path, null);
    }

    Answer send(String method, String path, String jsonBody) {
        HttpRequest.Builder request = request(path)
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        return answer(exchange(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** Sends a file as the raw body, such as a plugin jar. */
    Answer upload(String path, byte[] content, String contentType) {
        HttpRequest request = request(path).timeout(Duration.ofMinutes(5)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build();
        return answer(exchange(request, HttpResponse.BodyHandlers.ofString()));
    }

    /** One Server-Sent Event. */
    record Event(String id, String name, String data) {
    }

    /** Receives events until it returns false. */
    interface EventSink {
        boolean accept(Event event);
    }

    /**
     * Reads a Server-Sent Events stream until it ends or the sink returns false.
     *
     * @return true when the sink stopped it, false when the server closed it
     */
    boolean stream(String path, String lastEventId, EventSink sink) {
        HttpRequest.Builder request = request(path).timeout(Duration.ofDays(1)).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = exchange(request.build(), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() != 200) {
                answer(new Text(response.statusCode(), String.join("\n", lines.toList())));
                throw error(response.statusCode(), null, null, "the server answered " + response.statusCode() + " to the log stream");
            }
            String id = null;
            String name = null;
            StringBuilder data = null;
            Iterator<String> iterator = lines.iterator();
            while (iterator.hasNext()) {
                String line = iterator.next();
                if (line.isEmpty()) {
                    if (data != null && !sink.accept(new Event(id, name == null ? "message" : name, data.toString()))) {
                        return true;
                    }
                    id = null;
                    name = null;
                    data = null;
                } else if (line.startsWith("data:")) {
                    data = data == null ? new StringBuilder() : data.append('\n');
                    data.append(field(line, 5));
                } else if (line.startsWith("id:")) {
                    id = field(line, 3);
                } else if (line.startsWith("event:")) {
                    name = field(line, 6);
                }
            }
            return false;
        } catch (java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static String field(String line, int skip) {
        return line.length() > skip && line.charAt(skip) == ' ' ? line.substring(skip + 1) : line.substring(skip);
    }

    private HttpRequest.Builder request(String path) {
        URI uri;
        try {
            uri = URI.create(server + BASE + path);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("'" + server + "' is not a usable server URL: check --server or KILN_SERVER");
        }
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("User-Agent", "kiln-cli/" + Version.current());
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw CliException.failed("cannot reach " + server + ": the connection timed out: check --server or KILN_SERVER");
        } catch (HttpTimeoutException e) {
            throw CliException.failed(server + " did not answer within " + TIMEOUT.toSeconds() + "s: try again, or check the server");
        } catch (ConnectException e) {
            throw CliException.failed("cannot reach " + server + ": connection refused: is Kiln running there? check --server or KILN_SERVER");
        } catch (IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String why = cause instanceof UnresolvedAddressException ? "unknown host"
                    : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            throw CliException.failed("cannot reach " + server + ": " + why + ": check --server or KILN_SERVER");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", 130);
        }
    }

    private record Text(int status, String body) {
    }

    private Answer answer(HttpResponse<String> response) {
        return answer(new Text(response.statusCode(), response.body()));
    }

    private Answer answer(Text response) {
        int status = response.status();
        Map<String, Object> envelope = Map.of();
        String body = response.body();
        if (body != null && !body.isBlank()) {
            try {
                envelope = Json.object(Json.parse(body));
            } catch (Json.MalformedJson e) {
                throw error(status, null, null, server + " answered " + status + " with something that is not Kiln's API: check --server");
            }
        }
        if (status >= 200 && status < 300) {
            if (status != 204 && !envelope.containsKey("data")) {
                throw error(status, null, null, server + " answered " + status + " with something that is not Kiln's API: check --server");
            }
            return new Answer(status, envelope);
        }
        Map<String, Object> error = Json.object(envelope.get("error"));
        String code = Json.string(error, "code");
        String message = Json.string(error, "message");
        throw error(status, code, message, explain(status, code, message));
    }

    private String explain(int status, String code, String message) {
        if (status == 401) {
            return "the server answered 401: the token was revoked or is wrong: run kiln login --server " + server;
        }
        if (status == 403) {
            return "the server answered 403: " + (message != null ? message : "this token may not do that")
                    + ": use a token with access (an admin token for plugins and tokens)";
        }
        if (status == 404 && message != null && message.startsWith("no endpoint ")) {
            return "the server has " + message + ": it runs a Kiln without this feature; upgrade the server";
        }
        if (message == null) {
            return "the server answered " + status + " without an explanation: check --server and the server's log";
        }
        return message + " (" + status + (code == null ? "" : " " + code) + ")";
    }

    private static ApiError error(int status, String code, String serverMessage, String message) {
        return new ApiError(status, code, serverMessage, message);
    }
}
