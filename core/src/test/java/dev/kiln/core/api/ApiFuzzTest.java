package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.RawHttp;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Sends thousands of generated malformed requests over every API route and checks that none is
 * answered with a 5xx and that every error carries an envelope. Seeded: a failure prints the seed
 * and the request, and {@code -Dkiln.fuzz.seed=<seed>} replays the run ({@code -Dkiln.fuzz.requests}
 * sets how many).
 */
class ApiFuzzTest {

    private static final String API = "/api/v1/public";
    private static final String[] METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO"};
    /** Every route, method and path with placeholders: {p} project, {d} deployment, {t} token or notification, {s} status, {g} plugin. */
    private static final String[][] ROUTES = {
            {"GET", "/health"},
            {"GET", "/projects"}, {"POST", "/projects"},
            {"GET", "/projects/{p}"}, {"PATCH", "/projects/{p}"}, {"DELETE", "/projects/{p}"}, {"DELETE", "/projects/{p}/cache"},
            {"GET", "/projects/{p}/deployments"}, {"POST", "/projects/{p}/deployments"},
            {"GET", "/projects/{p}/deployments/{d}"}, {"GET", "/projects/{p}/deployments/{d}/logs"},
            {"GET", "/projects/{p}/deployments/{d}/logs/stream"},
            {"POST", "/projects/{p}/deployments/{d}/cancel"}, {"POST", "/projects/{p}/deployments/{d}/rollback"},
            {"GET", "/projects/{p}/deployments/{d}/statuses"}, {"POST", "/projects/{p}/deployments/{d}/statuses"},
            {"GET", "/projects/{p}/deployments/{d}/statuses/{s}"},
            {"GET", "/projects/{p}/notifications"}, {"POST", "/projects/{p}/notifications"},
            {"DELETE", "/projects/{p}/notifications/{t}"}, {"GET", "/projects/{p}/notifications/{t}/deliveries"},
            {"GET", "/tokens"}, {"POST", "/tokens"}, {"DELETE", "/tokens/{t}"},
            {"GET", "/nodes"},
            {"GET", "/plugins"}, {"POST", "/plugins"}, {"GET", "/plugins/{g}"}, {"DELETE", "/plugins/{g}"},
            {"POST", "/plugins/{g}/disable"}, {"POST", "/plugins/{g}/enable"},
    };
    private static final String[] WEIRD_IDS = {"0", "-1", "abc", "99999999999999999999", "1e3", "%00", "%2e%2e", "..", "%ff%fe",
            "x".repeat(300), "1;2", "%E2%80%AE", "%20", "1%0a", "%25", "null", "1.5", "0x10", "%C0%AF", "ё", "%", "%zz", "%4"};
    private static final String[] FIELDS = {"name", "repo_url", "default_branch", "builder", "install_command", "build_command",
            "output_directory", "root_directory", "builder_options", "env", "storage", "build_timeout_seconds", "project_ids", "branch",
            "state", "environment", "description", "target_url", "log_url", "environment_url", "auto_inactive", "id", "__proto__", "",
            "url", "events", "secret"};
    private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8", "text/plain",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "*/*",
            "application/vnd.github+json", "application/java-archive", "", ";;;", "application/json; boundary=\"", "a/" + "b".repeat(2000)};

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    /** The fuzz target: a repository, a project on it and one finished deployment. */
    static GitRepo repo;
    static long projectId;
    static long deploymentId;

    @BeforeAll
    static void target() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "<h1>fuzz</h1>").commit("first");
        projectId = kiln.createProject("Fuzzed", repo.url(), new JsonObject().put("builder", "shell")).getLong("id");
        deploymentId = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, deploymentId, Duration.ofSeconds(60), "deployed", "failed");
    }

    /** One generated request, printable to replay by hand. */
    private record Request(String method, String target, Map<String, String> headers, byte[] body, String from) {
        @Override
        public String toString() {
            String shown = body == null ? "" : new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
            return method + " " + (target.length() > 300 ? target.substring(0, 300) + "..." : target) + " " + headers.keySet()
                    + " body: " + RequestsView.escape(shown);
        }
    }

    @Test
    void noGeneratedRequestGets5xxAndEveryErrorHasAnEnvelope() throws Exception {
        long seed = Long.getLong("kiln.fuzz.seed", System.nanoTime());
        int count = Integer.getInteger("kiln.fuzz.requests", 3000);
        Random random = new Random(seed);
        List<String> problems = new ArrayList<>();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < count && problems.size() < 20; i++) {
            Request request = generate(random);
            RawHttp.Response response;
            try {
                response = RawHttp.send(kiln.baseUrl(), request.from(), request.method(), request.target(), request.headers(),
                        request.body());
            } catch (java.io.IOException e) {
                problems.add("no answer (" + e.getMessage() + ") to " + request);
                continue;
            }
            statuses.merge(response.status(), 1, Integer::sum);
            String problem = check(request, response);
            if (problem != null) {
                problems.add(problem + " for " + request);
            }
        }
        assertThat(problems).as("seed %d (replay with -Dkiln.fuzz.seed=%d); statuses %s", seed, seed, statuses).isEmpty();
        // The generator reaches past authentication and validation, not only the 4xx doors.
        assertThat(statuses.keySet()).as("statuses %s", statuses).contains(200, 400, 401, 404, 422);
    }

    private static String check(Request request, RawHttp.Response response) {
        if (response.status() >= 500) {
            return "status " + response.status() + " " + response.body();
        }
        if (response.status() < 400 || "HEAD".equals(request.method())) {
            return null;
        }
        boolean github = request.target().contains("/statuses");
        try {
            JsonObject body = new JsonObject(response.body());
            JsonObject error = body.getJsonObject("error");
            boolean kilnEnvelope = error != null && error.getString("code") != null && error.getString("message") != null;
            boolean githubEnvelope = github && body.getString("message") != null;
            return kilnEnvelope || githubEnvelope ? null : "status " + response.status() + " without an envelope: " + response.body();
        } catch (RuntimeException e) {
            return "status " + response.status() + " with a body that is not JSON: " + response.body();
        }
    }

    private static Request generate(Random random) {
        String[] route = ROUTES[random.nextInt(ROUTES.length)];
        String method = random.nextInt(10) < 8 ? route[0] : METHODS[random.nextInt(METHODS.length)];
        String path = route[1]
                .replace("{p}", random.nextInt(3) == 0 ? weird(random) : String.valueOf(projectId))
                .replace("{d}", random.nextInt(3) == 0 ? weird(random) : String.valueOf(deploymentId))
                .replace("{s}", random.nextBoolean() ? weird(random) : "1")
                // Never a real token id: the fuzzer must not revoke its own admin token.
                .replace("{t}", weird(random))
                .replace("{g}", random.nextBoolean() ? weird(random) : "builder-example");
        String target = API + mutatePath(random, path) + query(random);
        Map<String, String> headers = new LinkedHashMap<>();
        String from = null;
        int auth = random.nextInt(10);
        if (auth < 7) {
            headers.put("Authorization", "Bearer " + TestKiln.ADMIN);
        } else if (auth == 7) {
            headers.put("Authorization", random.nextBoolean() ? "Bearer " + text(random, 40) : "Basic " + text(random, 10));
            // Wrong tokens come from addresses of their own, so the rate limit meets some of them.
            from = "127.0.1." + (1 + random.nextInt(3));
        } else if (auth == 8) {
            headers.put("Authorization", "token " + TestKiln.ADMIN);
        }
        byte[] body = null;
        if (random.nextInt(4) != 0 || !"GET".equals(method)) {
            body = body(random);
            if (random.nextInt(5) != 0) {
                headers.put("Content-Type", CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]);
            }
        }
        if (random.nextInt(20) == 0) {
            headers.put("X-Fuzz", "v".repeat(random.nextInt(12_000)));
        }
        if (random.nextInt(30) == 0) {
            headers.put("Last-Event-ID", weird(random));
        }
        return new Request(method, target, headers, body, from);
    }

    private static String weird(Random random) {
        return WEIRD_IDS[random.nextInt(WEIRD_IDS.length)];
    }

    private static String mutatePath(Random random, String path) {
        return switch (random.nextInt(12)) {
            case 0 -> path + "/";
            case 1 -> path.replace("/", "//");
            case 2 -> path + "/" + weird(random);
            case 3 -> path.toUpperCase(java.util.Locale.ROOT);
            case 4 -> path + "%";
            case 5 -> path + "/.." + path;
            case 6 -> path + "/" + "p".repeat(random.nextInt(6000));
            default -> path;
        };
    }

    private static String query(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> "?page=" + weird(random);
            case 1 -> "?per_page=" + weird(random) + "&page=" + random.nextInt();
            case 2 -> "?" + weird(random) + "=" + weird(random);
            case 3 -> "?page=2&per_page=100";
            case 4 -> "?&&=&";
            default -> "";
        };
    }

    private static byte[] body(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> randomBytes(random);
            case 1 -> truncated(random, object(random, 0).encode()).getBytes(StandardCharsets.UTF_8);
            case 2 -> ("[".repeat(2000 + random.nextInt(3000)) + "]".repeat(10)).getBytes(StandardCharsets.UTF_8);
            case 3 -> new byte[0];
            case 4 -> ("{\"build_timeout_seconds\": 1e" + random.nextInt(999_999) + ", \"page\": -0.0}").getBytes(StandardCharsets.UTF_8);
            case 5 -> new JsonArray().add(object(random, 0)).encode().getBytes(StandardCharsets.UTF_8);
            default -> object(random, 0).encode().getBytes(StandardCharsets.UTF_8);
        };
    }

    private static JsonObject object(Random random, int depth) {
        JsonObject object = new JsonObject();
        int fields = random.nextInt(5);
        for (int i = 0; i < fields; i++) {
            String field = random.nextInt(8) == 0 ? text(random, 20) : FIELDS[random.nextInt(FIELDS.length)];
            object.put(field, value(random, depth));
        }
        return object;
    }

    private static Object value(Random random, int depth) {
        return switch (random.nextInt(depth > 2 ? 8 : 11)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextLong();
            case 3 -> random.nextDouble() * Math.pow(10, random.nextInt(300));
            case 4 -> "";
            case 5 -> text(random, 20);
            case 6 -> "dist/dist/../" + text(random, 5);
            case 7 -> "x".repeat(random.nextInt(70_000));
            case 8 -> object(random, depth + 1);
            case 9 -> new JsonArray().add(value(random, depth + 1)).add(value(random, depth + 1));
            default -> repo.url();
        };
    }

    /** Text with control characters, NUL, surrogates, escapes and markup mixed in. */
    private static String text(Random random, int maxLength) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(8)) {
                case 0 -> text.append((char) random.nextInt(32));
                case 1 -> text.append((char) (0xd800 + random.nextInt(0x800)));
                case 2 -> text.append("%zz");
                case 3 -> text.append("../");
                case 4 -> text.append("<script>");
                default -> text.append((char) ('a' + random.nextInt(26)));
            }
        }
        return text.toString();
    }

    private static String truncated(Random random, String json) {
        return json.isEmpty() ? "{" : json.substring(0, random.nextInt(json.length()));
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(2000)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Shows control characters in a failure message. */
    private static final class RequestsView {
        static String escape(String text) {
            return Requests.printable(text, 300);
        }
    }
}
