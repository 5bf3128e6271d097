package dev.kiln.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/**
 * {@code /metrics}: Prometheus text whose counters match what the node did. The exact counts run
 * first: cancelled builds of a later test may still write their last log lines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "<h1>measured</h1>").commit("one");
    }

    private static PrometheusText scrape() throws Exception {
        var response = kiln.send("GET", "/metrics", Map.of("Authorization", "Bearer " + TestKiln.ADMIN), null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        return PrometheusText.parse(response.body());
    }

    private static int logLines(long project, long deployment) throws Exception {
        String text = kiln.admin("GET", "/projects/" + project + "/deployments/" + deployment + "/logs", null).data().getString("build_logs");
        return text.isEmpty() ? 0 : text.split("\n", -1).length - (text.endsWith("\n") ? 1 : 0);
    }

    @Test
    @Order(1)
    void countersMatchWhatHappened() throws Exception {
        PrometheusText before = scrape();
        long good = kiln.createProject("measured", repo.url(), null).getLong("id");
        long bad = kiln.createProject("broken", repo.url(), new JsonObject().put("build_command", "echo no >&2; exit 2")).getLong("id");
        List<long[]> finished = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            long id = kiln.trigger(good).getLong("id");
            kiln.awaitStatus(good, id, WAIT, "deployed");
            finished.add(new long[] {good, id});
        }
        long failed = kiln.trigger(bad).getLong("id");
        kiln.awaitStatus(bad, failed, WAIT, "failed");
        finished.add(new long[] {bad, failed});

        JsonObject project = kiln.admin("GET", "/projects/" + good, null).data();
        String site = project.getString("production_url");
        assertThat(kiln.get(site).status()).isEqualTo(200);
        assertThat(kiln.get(site + "no-such-page.html").status()).isEqualTo(404);

        // A site request is counted when its answer ends, on the event loop that served it: a scrape
        // served by another event loop can come first. Scrape until both answers are counted.
        PrometheusText metrics = Eventually.value(WAIT, "both site answers counted", () -> {
            PrometheusText now = scrape();
            boolean counted = now.sum("kiln_site_requests_total", Map.of("status_class", "2xx"))
                    - before.sum("kiln_site_requests_total", Map.of("status_class", "2xx")) >= 1
                    && now.sum("kiln_site_requests_total", Map.of("status_class", "4xx"))
                    - before.sum("kiln_site_requests_total", Map.of("status_class", "4xx")) >= 1;
            return counted ? now : null;
        });
        assertThat(metrics.sum("kiln_deployments_queued_total", Map.of("builder", "shell")) - before.sum("kiln_deployments_queued_total", Map.of("builder", "shell"))).isEqualTo(3);
        assertThat(metrics.sum("kiln_deployments_finished_total", Map.of("status", "deployed", "builder", "shell")) - before.sum("kiln_deployments_finished_total", Map.of("status", "deployed", "builder", "shell"))).isEqualTo(2);
        assertThat(metrics.sum("kiln_deployments_finished_total", Map.of("status", "failed", "builder", "shell")) - before.sum("kiln_deployments_finished_total", Map.of("status", "failed", "builder", "shell"))).isEqualTo(1);
        assertThat(metrics.sum("kiln_deployment_phase_seconds_count", Map.of("phase", "building")) - before.sum("kiln_deployment_phase_seconds_count", Map.of("phase", "building"))).isEqualTo(3);
        assertThat(metrics.sum("kiln_deployment_phase_seconds_count", Map.of("phase", "deploying")) - before.sum("kiln_deployment_phase_seconds_count", Map.of("phase", "deploying"))).isEqualTo(2);
        assertThat(metrics.named("kiln_deployment_phase_seconds_bucket")).isNotEmpty();
        int lines = 0;
        for (long[] deployment : finished) {
            lines += logLines(deployment[0], deployment[1]);
        }
        assertThat(metrics.sum("kiln_log_lines_written_total", Map.of()) - before.sum("kiln_log_lines_written_total", Map.of())).isEqualTo(lines);
        assertThat(metrics.sum("kiln_site_requests_total", Map.of("status_class", "2xx")) - before.sum("kiln_site_requests_total", Map.of("status_class", "2xx"))).isEqualTo(1);
        assertThat(metrics.sum("kiln_site_requests_total", Map.of("status_class", "4xx")) - before.sum("kiln_site_requests_total", Map.of("status_class", "4xx"))).isEqualTo(1);
        assertThat(metrics.sum("kiln_plugin_calls_total", Map.of("call", "build", "outcome", "success")) - before.sum("kiln_plugin_calls_total", Map.of("call", "build", "outcome", "success"))).isEqualTo(2);
        assertThat(metrics.sum("kiln_plugin_calls_total", Map.of("call", "build", "outcome", "failure")) - before.sum("kiln_plugin_calls_total", Map.of("call", "build", "outcome", "failure"))).isEqualTo(1);
        assertThat(metrics.sum("kiln_executors_capacity", Map.of("node", kiln.server().nodeId()))).isEqualTo(2);
        assertThat(metrics.sum("kiln_executors_busy", Map.of("node", kiln.server().nodeId()))).isZero();
        assertThat(metrics.sum("kiln_queue_depth", Map.of())).isZero();

        // The HTTP server's requests by route, never by raw path.
        var routes = metrics.named("vertx_http_server_requests_total").stream().map(sample -> sample.labels().get("route")).toList();
        // Vert.x names a route inside a sub-router by its mount points and its own path, joined by '>'.
        assertThat(routes).anyMatch(route -> route != null && route.endsWith("/projects/:projectId/deployments/:deploymentId"));
        assertThat(routes).noneMatch(route -> route != null && route.matches(".*/projects/\\d+.*"));
    }

    @Test
    @Order(2)
    void queueDepthAndBusyExecutorsWhileBuilding() throws Exception {
        // Three projects (a newer deployment of one branch would supersede a queued older one).
        List<long[]> started = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long slow = kiln.createProject("slow-" + i, repo.url(), new JsonObject().put("build_command", "sleep 60")).getLong("id");
            started.add(new long[] {slow, kiln.trigger(slow).getLong("id")});
            if (i < 2) {
                // Two executors: two build, the third waits.
                kiln.awaitStatus(slow, started.get(i)[1], WAIT, "building");
            }
        }
        PrometheusText metrics = scrape();
        assertThat(metrics.sum("kiln_queue_depth", Map.of())).isEqualTo(1);
        assertThat(metrics.sum("kiln_executors_busy", Map.of("node", kiln.server().nodeId()))).isEqualTo(2);
        for (long[] deployment : started) {
            kiln.admin("POST", "/projects/" + deployment[0] + "/deployments/" + deployment[1] + "/cancel", null);
            kiln.awaitStatus(deployment[0], deployment[1], WAIT, "cancelled");
        }
        assertThat(scrape().sum("kiln_deployments_finished_total", Map.of("status", "cancelled"))
                - metrics.sum("kiln_deployments_finished_total", Map.of("status", "cancelled"))).isEqualTo(3);
    }

    @Test
    @Order(3)
    void metricsNeedAnAdminToken() throws Exception {
        assertThat(kiln.send("GET", "/metrics", Map.of(), null).status()).isEqualTo(401);
        long project = kiln.createProject("scoped-metrics", repo.url(), null).getLong("id");
        String scoped = kiln.admin("POST", "/tokens", new JsonObject().put("name", "m").put("project_ids", new io.vertx.core.json.JsonArray().add(project)))
                .data().getString("token");
        assertThat(kiln.send("GET", "/metrics", Map.of("Authorization", "Bearer " + scoped), null).status()).isEqualTo(403);
    }
}
