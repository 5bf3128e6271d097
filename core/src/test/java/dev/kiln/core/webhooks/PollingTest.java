package dev.kiln.core.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.store.Database;
import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** Polling remotes that send no webhooks, on one node and on two nodes sharing a database. */
class PollingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int INTERVAL = 5;

    @RegisterExtension
    @Order(1)
    static final KilnExtension kiln = new KilnExtension();
    /** A second node on the same database: both poll. */
    @RegisterExtension
    @Order(2)
    static final KilnExtension second = new KilnExtension().sharingDatabaseWith(kiln);
    static Pool database;

    @BeforeAll
    static void openDatabase() {
        database = Database.pool(kiln.server().vertx(), kiln.databaseUrl(), 1);
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get();
    }

    /** Waits until {@code check} gives a non-null value. */
    private static <T> T until(String what, Callable<T> check) throws Exception {
        return Eventually.value(WAIT, what, check);
    }

    private static JsonObject deploymentOf(long projectId, String sha) throws Exception {
        JsonArray list = kiln.admin("GET", "/projects/" + projectId + "/deployments?per_page=100", null).json().getJsonArray("data");
        List<JsonObject> found = new ArrayList<>();
        list.forEach(item -> {
            if (sha.equals(((JsonObject) item).getString("commit_sha"))) {
                found.add((JsonObject) item);
            }
        });
        assertThat(found).as("deployments of " + sha).hasSizeLessThanOrEqualTo(1);
        return found.isEmpty() ? null : found.get(0);
    }

    private static Row pollState(long projectId) throws Exception {
        var rows = await(database.preparedQuery("SELECT polls, failures, last_error, lease_owner, next_poll_at > now() + interval '6 seconds' "
                + "AS backed_off FROM project_polls WHERE project_id = $1").execute(Tuple.of(projectId)));
        return rows.size() == 0 ? null : rows.iterator().next();
    }

    @Test
    void pollingDeploysTheProductionBranchAndPicksUpANewCommit() throws Exception {
        GitRepo repo = kiln.repository("repo-polled");
        String first = repo.write("index.html", "1").commit("1");
        long projectId = kiln.createProject("polled", repo.url(), new JsonObject().put("poll_interval_seconds", INTERVAL)).getLong("id");
        assertThat(kiln.admin("GET", "/projects/" + projectId, null).data().getInteger("poll_interval_seconds")).isEqualTo(INTERVAL);

        JsonObject initial = until("the first poll", () -> deploymentOf(projectId, first));
        assertThat(initial.getString("trigger")).isEqualTo("poll");
        kiln.awaitStatus(projectId, initial.getLong("id"), WAIT, "deployed");

        String next = repo.write("index.html", "2").commit("2");
        JsonObject picked = until("a poll after the new commit", () -> deploymentOf(projectId, next));
        assertThat(picked.getString("trigger")).isEqualTo("poll");
        assertThat(picked.getString("environment")).isEqualTo("production");
        // A branch that exists from the start waits for its first new commit; then it gets a preview.
        repo.branch("topic");
        String topic = repo.write("index.html", "topic").commit("topic");
        JsonObject preview = until("a preview of the new branch", () -> deploymentOf(projectId, topic));
        assertThat(preview.getString("environment")).isEqualTo("preview");
        assertThat(preview.getString("branch")).isEqualTo("topic");
    }

    @Test
    void aFailingRemoteIsLoggedAndRetriedWithBackOff() throws Exception {
        long projectId = kiln.createProject("unreachable", kiln.directory("unreachable").resolve("no-such-repo").toUri().toString(),
                new JsonObject().put("poll_interval_seconds", INTERVAL).put("default_branch", "main")).getLong("id");

        Row state = until("a failed poll", () -> {
            Row row = pollState(projectId);
            return row != null && row.getInteger("failures") >= 1 ? row : null;
        });
        assertThat(state.getString("last_error")).contains("no-such-repo");
        assertThat(state.getString("lease_owner")).as("the lease is let go").isNull();
        assertThat(state.getBoolean("backed_off")).as("the next poll waits longer than the interval").isTrue();
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments", null).json().getJsonArray("data")).isEmpty();
    }

    @Test
    void twoNodesPollEachProjectOnce() throws Exception {
        long started = System.nanoTime();
        List<Long> projects = new ArrayList<>();
        List<String> commits = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            GitRepo repo = kiln.repository("repo-shared-" + i);
            commits.add(repo.write("index.html", "shared " + i).commit("shared " + i));
            projects.add(kiln.createProject("shared " + i, repo.url(), new JsonObject().put("poll_interval_seconds", INTERVAL)).getLong("id"));
        }
        for (int i = 0; i < projects.size(); i++) {
            long projectId = projects.get(i);
            String sha = commits.get(i);
            until("project " + projectId + " polled twice", () -> {
                Row row = pollState(projectId);
                return row != null && row.getLong("polls") >= 2 ? row : null;
            });
            // deploymentOf fails if both nodes deployed the commit.
            assertThat(deploymentOf(projectId, sha)).isNotNull();
        }
        long elapsedSeconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        var rows = await(database.preparedQuery("SELECT project_id, polls, last_polled_by FROM project_polls WHERE project_id = ANY($1)")
                .execute(Tuple.of((Object) projects.toArray(Long[]::new))));
        for (Row row : rows) {
            // One poller per project polls at most once per interval (plus the first, at once); two would poll twice as often.
            assertThat(row.getLong("polls")).as("polls of project " + row.getLong("project_id") + " in " + elapsedSeconds + "s")
                    .isLessThanOrEqualTo(elapsedSeconds / INTERVAL + 1);
        }
    }

    @Test
    void aProjectWithoutDefaultBranchUsesTheRemotesOwn() throws Exception {
        Path directory = kiln.directory("repo-trunk");
        try (Git git = Git.init().setDirectory(directory.toFile()).setInitialBranch("trunk").call()) {
            java.nio.file.Files.writeString(directory.resolve("index.html"), "trunk");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("trunk").setAuthor("Ada", "ada@example.com").setCommitter("Ada", "ada@example.com").call();
        }
        JsonObject project = kiln.createProject("trunk", directory.toUri().toString(), null);
        assertThat(project.getString("default_branch")).isEqualTo("trunk");
        assertThat(kiln.trigger(project.getLong("id")).getString("environment")).isEqualTo("production");
    }
}
