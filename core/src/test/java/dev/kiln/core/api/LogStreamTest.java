package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonObject;

/** The live log stream: Server-Sent Events, resumable, ending with the deployment. */
class LogStreamTest {

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "x").commit("one");
    }

    private static List<String> stream(long projectId, long deploymentId, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(kiln.baseUrl() + "/api/v1/public/projects/" + projectId
                        + "/deployments/" + deploymentId + "/logs/stream"))
                .header("Authorization", "Bearer " + TestKiln.ADMIN)
                .timeout(Duration.ofSeconds(60));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        try (Stream<String> lines = response.body()) {
            return lines.collect(Collectors.toCollection(ArrayList::new));
        }
    }

    @Test
    void followsALiveBuildToItsEndAndResumes() throws Exception {
        long projectId = kiln.createProject("Streamed", repo.url(), new JsonObject()
                .put("build_command", "for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done")).getLong("id");
        long deploymentId = kiln.trigger(projectId).getLong("id");
        List<String> events = stream(projectId, deploymentId, null);
        List<String> data = events.stream().filter(line -> line.startsWith("data: ")).toList();
        assertThat(data).contains("data: line 1", "data: line 5");
        assertThat(events).contains("event: end");
        assertThat(events.get(events.size() - 2)).contains("\"status\":\"deployed\"");
        List<Integer> ids = events.stream().filter(line -> line.startsWith("id: ")).map(line -> Integer.parseInt(line.substring(4))).toList();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).isEqualTo(i + 1);
        }
        // The stream of a finished deployment replays what is stored and ends.
        List<String> resumed = stream(projectId, deploymentId, "3");
        List<Integer> resumedIds = resumed.stream().filter(line -> line.startsWith("id: ")).map(line -> Integer.parseInt(line.substring(4))).toList();
        assertThat(resumedIds).first().isEqualTo(4);
        assertThat(resumedIds).last().isEqualTo(ids.get(ids.size() - 1));
        assertThat(resumed).contains("event: end");
        String stored = kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null).data().getString("build_logs");
        assertThat(stored.split("\n")).hasSize(ids.size());
    }
}
