package dev.kiln.core.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** How the dashboard is served over HTTP, and the API parts it relies on, without a browser. */
class DashboardServingTest {

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();

    private static Response get(String path, Map<String, String> headers) throws Exception {
        return kiln.send("GET", path, headers, null);
    }

    @Test
    void everyPageOfTheDashboardAnswersTheAppWithAStrictPolicy() throws Exception {
        for (String path : List.of("/", "/sign-in", "/projects", "/projects/new", "/projects/12", "/projects/12/settings",
                "/projects/12/deployments/345", "/nodes", "/plugins", "/tokens")) {
            Response page = get(path, Map.of());
            assertThat(page.status()).as(path).isEqualTo(200);
            assertThat(page.header("Content-Type")).as(path).startsWith("text/html");
            assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/app.js\"></script>");
            String policy = page.header("Content-Security-Policy");
            assertThat(policy).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval");
            assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
        // No inline script or style in the page itself.
        String index = get("/", Map.of()).body();
        assertThat(index).doesNotContain("style=", "<style", "onclick", "onload");
        assertThat(index.replace("<script type=\"module\" src=\"/ui/app.js\"></script>", "")).doesNotContain("<script");
    }

    @Test
    void assetsHaveTheirTypesAndRevalidate() throws Exception {
        Response script = get("/ui/app.js", Map.of());
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.header("Content-Type")).startsWith("text/javascript");
        assertThat(script.header("Cache-Control")).isEqualTo("no-cache");
        String etag = script.header("ETag");
        assertThat(etag).isNotBlank();
        assertThat(get("/ui/app.js", Map.of("If-None-Match", etag)).status()).isEqualTo(304);
        assertThat(get("/ui/style.css", Map.of()).header("Content-Type")).startsWith("text/css");
        assertThat(get("/ui/icon.svg", Map.of()).header("Content-Type")).startsWith("image/svg+xml");
    }

    @Test
    void theDashboardShadowsNothingElse() throws Exception {
        for (String path : List.of("/ui/missing.js", "/ui/index.html", "/ui/..%2Fpom.xml", "/projects/abc", "/projects/1/other",
                "/favicon.ico", "/elsewhere")) {
            Response response = get(path, Map.of());
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.header("Content-Type")).as(path).startsWith("application/json");
        }
        Response api = get("/api/v1/public/projects", Map.of());
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.errorCode()).isEqualTo("unauthorized");
        assertThat(get("/api/v1/public/nothing-here", Map.of("Authorization", "Bearer " + TestKiln.ADMIN)).errorCode()).isEqualTo("not_found");
        assertThat(get("/health", Map.of()).header("Content-Type")).startsWith("application/json");
        assertThat(get("/sites/none/", Map.of()).body()).doesNotContain("/ui/app.js");
        assertThat(kiln.send("POST", "/projects", Map.of(), "{}").body()).doesNotContain("/ui/app.js");
    }

    @Test
    void aTokenReadsItselfAndTheEndpointIndexListsTheApi() throws Exception {
        JsonObject admin = kiln.admin("GET", "/tokens/current", null).data();
        assertThat(admin.getBoolean("admin")).isTrue();
        long projectId = kiln.createProject("Scoped self", "file:///nowhere", null).getLong("id");
        String scoped = kiln.admin("POST", "/tokens", new JsonObject().put("name", "ci").put("project_ids", new JsonArray().add(projectId)))
                .data().getString("token");
        JsonObject self = kiln.api("GET", "/tokens/current", scoped, null).data();
        assertThat(self.getBoolean("admin")).isFalse();
        assertThat(self.getString("name")).isEqualTo("ci");
        assertThat(self.getJsonArray("project_ids").getLong(0)).isEqualTo(projectId);
        assertThat(self.getJsonArray("project_ids").size()).isEqualTo(1);
        assertThat(self.containsKey("token")).isFalse();
        assertThat(kiln.api("GET", "/tokens/current", "wrong", null).status()).isEqualTo(401);

        JsonArray endpoints = kiln.api("GET", "/endpoints", scoped, null).json().getJsonArray("data");
        assertThat(endpoints.stream().map(entry -> ((JsonObject) entry).getString("method") + " " + ((JsonObject) entry).getString("path")))
                .contains("GET /projects/:projectId/deployments/:deploymentId/phases", "POST /projects/:projectId/deployments",
                        "GET /projects/:projectId/deployments/:deploymentId/logs/stream", "DELETE /plugins/:pluginId")
                .doesNotHaveDuplicates();
    }

    @Test
    void phasesSayHowLongEachStatusLasted() throws Exception {
        GitRepo repo = kiln.repository("phases-repo");
        repo.write("index.html", "phases").commit("one");
        long projectId = kiln.createProject("Phased", repo.url(), new JsonObject().put("build_command", "sleep 0.3")).getLong("id");
        long deploymentId = kiln.trigger(projectId).getLong("id");
        kiln.awaitStatus(projectId, deploymentId, Duration.ofSeconds(60), "deployed");
        Response response = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/phases", null);
        assertThat(response.status()).isEqualTo(200);
        JsonArray phases = response.json().getJsonArray("data");
        List<String> statuses = phases.stream().map(phase -> ((JsonObject) phase).getString("status")).toList();
        assertThat(statuses).first().isEqualTo("queued");
        assertThat(statuses).last().isEqualTo("deployed");
        assertThat(statuses).contains("building");
        for (int i = 0; i < phases.size() - 1; i++) {
            JsonObject phase = phases.getJsonObject(i);
            assertThat(phase.getLong("duration_ms")).as(phase.encode()).isNotNull().isGreaterThanOrEqualTo(0);
            assertThat(phase.getString("ended_at")).isEqualTo(phases.getJsonObject(i + 1).getString("started_at"));
        }
        JsonObject building = phases.stream().map(JsonObject.class::cast).filter(p -> p.getString("status").equals("building")).findFirst().orElseThrow();
        assertThat(building.getLong("duration_ms")).isGreaterThanOrEqualTo(300);
        JsonObject last = phases.getJsonObject(phases.size() - 1);
        assertThat(last.getValue("ended_at")).isNull();
        assertThat(last.getValue("duration_ms")).isNull();
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments/999999/phases", null).status()).isEqualTo(404);
    }
}
