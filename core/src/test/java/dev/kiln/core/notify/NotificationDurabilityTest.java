package dev.kiln.core.notify;

import static dev.kiln.core.notify.NotificationsTest.FAST;
import static dev.kiln.core.notify.NotificationsTest.WAIT;
import static dev.kiln.core.notify.NotificationsTest.awaitValue;
import static dev.kiln.core.notify.NotificationsTest.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kiln.core.cluster.ClusterSettings;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.TestDatabase;
import dev.kiln.core.testing.TestKiln;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Each event is delivered once across a cluster, and a restart in the middle of retries loses nothing. */
class NotificationDurabilityTest {

    @TempDir
    Path temp;

    @Test
    void twoNodesDeliverEveryEventExactlyOnce() throws Exception {
        String database = TestDatabase.freshDatabase();
        int firstPort = freePort();
        List<TestKiln> nodes = new ArrayList<>();
        try (GitRepo repo = GitRepo.create(temp.resolve("repo")); Receiver receiver = new Receiver()) {
            repo.write("index.html", "hello").commit("one");
            for (int i = 0; i < 2; i++) {
                ClusterSettings cluster = new ClusterSettings(true, "127.0.0.1", i == 0 ? firstPort : freePort(),
                        List.of("127.0.0.1:" + firstPort), "kiln-notify-" + database.hashCode(), List.of());
                nodes.add(TestKiln.startNode(temp.resolve("node-" + i), database, TestKiln::registerFakes, 2, cluster, true, FAST));
            }
            TestKiln first = nodes.get(0);
            long project = first.createProject("farm", repo.url(), null).getLong("id");
            long subscription = subscribe(first, project, new JsonObject().put("url", receiver.url("/farm"))
                    .put("events", new JsonArray().add("deployment.started").add("deployment.succeeded"))).getLong("id");
            List<Long> deployments = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                // One after another: a newer deployment of a branch supersedes the older ones still queued.
                long deployment = nodes.get(i % 2).trigger(project).getLong("id");
                first.awaitStatus(project, deployment, WAIT, "deployed");
                deployments.add(deployment);
            }
            String path = "/projects/" + project + "/notifications/" + subscription + "/deliveries?per_page=100";
            JsonArray delivered = awaitValue(() -> {
                JsonArray items = first.admin("GET", path, null).json().getJsonArray("data");
                boolean done = items.size() == deployments.size() * 2
                        && items.stream().allMatch(item -> "delivered".equals(((JsonObject) item).getString("status")));
                return done ? items : null;
            });
            for (Object item : delivered) {
                assertThat(((JsonObject) item).getJsonArray("attempts")).hasSize(1);
            }
            // A delivery marked delivered is never claimed again, so what the receiver has now is final.
            Map<String, Long> perDelivery = receiver.received().stream()
                    .collect(Collectors.groupingBy(request -> request.headers().get("X-Kiln-Delivery"), Collectors.counting()));
            assertThat(perDelivery).hasSize(deployments.size() * 2);
            assertThat(perDelivery.values()).containsOnly(1L);
        } finally {
            for (TestKiln node : nodes) {
                node.close();
            }
        }
    }

    @Test
    void aRestartDuringRetriesLosesNothing() throws Exception {
        String database = TestDatabase.freshDatabase();
        try (GitRepo repo = GitRepo.create(temp.resolve("repo")); Receiver receiver = new Receiver()) {
            repo.write("index.html", "hello").commit("one");
            receiver.answerOtherwise(503);
            long project;
            long subscription;
            TestKiln before = TestKiln.start(temp.resolve("data"), database, TestKiln::registerFakes, temp.resolve("plugins"), FAST);
            try {
                project = before.createProject("restarted", repo.url(), null).getLong("id");
                subscription = subscribe(before, project, new JsonObject().put("url", receiver.url("/down"))
                        .put("events", new JsonArray().add("deployment.succeeded"))).getLong("id");
                long deployment = before.trigger(project).getLong("id");
                before.awaitStatus(project, deployment, WAIT, "deployed");
                String path = "/projects/" + project + "/notifications/" + subscription + "/deliveries";
                awaitValue(() -> {
                    JsonArray items = before.admin("GET", path, null).json().getJsonArray("data");
                    return items.size() == 1 && items.getJsonObject(0).getJsonArray("attempts").size() >= 2 ? items : null;
                });
            } finally {
                before.close();
            }
            receiver.answerOtherwise(200);
            try (TestKiln after = TestKiln.start(temp.resolve("data"), database, TestKiln::registerFakes, temp.resolve("plugins"), FAST)) {
                String path = "/projects/" + project + "/notifications/" + subscription + "/deliveries";
                JsonObject delivery = awaitValue(() -> {
                    JsonArray items = after.admin("GET", path, null).json().getJsonArray("data");
                    return items.size() == 1 && "delivered".equals(items.getJsonObject(0).getString("status"))
                            ? items.getJsonObject(0) : null;
                });
                JsonArray attempts = delivery.getJsonArray("attempts");
                assertThat(attempts.size()).isGreaterThanOrEqualTo(3);
                assertThat(attempts.getJsonObject(0).getInteger("response_status")).isEqualTo(503);
                assertThat(attempts.getJsonObject(attempts.size() - 1).getInteger("response_status")).isEqualTo(200);
                // An attempt cut off by the shutdown may have reached the receiver without being recorded.
                assertThat(receiver.received().stream().filter(request -> request.path().equals("/down")).count())
                        .isGreaterThanOrEqualTo(attempts.size());
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
