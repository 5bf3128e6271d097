package dev.kiln.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.kiln.core.github.PipelineStatuses;
import dev.kiln.core.store.StatusStore.NewStatus;
import dev.kiln.core.store.WorkQueue.Claim;
import dev.kiln.core.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;

/** The queue's fencing: once a lease is taken over, the old holder's writes change nothing. */
@ExtendWith(VertxExtension.class)
class WorkQueueTest {

    private Pool pool;
    private WorkQueue queue;
    private long deploymentId;

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get();
    }

    private static Function<Deployment, NewStatus> deployed(String url, String logs) {
        return deployment -> PipelineStatuses.deployed(deployment.environment(), url, logs);
    }

    /** The Vert.x instance is the extension's, closed by it after each test. */
    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        pool = Database.pool(vertx, TestDatabase.freshDatabase(), 4);
        await(Database.migrate(pool));
        queue = new WorkQueue(pool, 30);
        Project project = await(new ProjectStore(pool).create(new ProjectSettings("Fenced", "file:///tmp/x", "main", "shell",
                null, null, null, null, Map.of(), Map.of(), "local", 60)));
        deploymentId = await(new DeploymentStore(pool).create(project, new DeploymentStore.NewDeployment("main", "production",
                new DeploymentStore.Commit("0".repeat(40), "message", "author"), "shell", "api", false), PipelineStatuses.CREATED))
                .deployment().id();
    }

    @Test
    void lateWritesOfAnOldLeaseHolderAreIgnored() throws Exception {
        Claim old = await(queue.claim("node-a", List.of("shell"))).orElseThrow();
        assertThat(await(queue.advance(old, DeploymentStatus.CLONING, "node-a", null,
                moved -> PipelineStatuses.building("node-a", moved.environment())))).isPresent();

        // node-a is declared gone; node-b takes the job over.
        assertThat(await(queue.releaseAll("node-a", "node node-a left the cluster"))).isEqualTo(1);
        Claim current = await(queue.claim("node-b", List.of("shell"))).orElseThrow();
        assertThat(current.attempt()).isEqualTo(2);
        assertThat(current.previousOwner()).isEqualTo("node-a");
        assertThat(current.releasedReason()).isEqualTo("node node-a left the cluster");

        // node-a wakes up and tries to move on, to finish, or to fail: all fenced.
        assertThat(await(queue.advance(old, DeploymentStatus.UPLOADING, "node-a", null, null))).isEmpty();
        assertThat(await(queue.deployed(old, true, "node-a", "key", deployed("url", "logs")))).isEmpty();
        assertThat(await(queue.failed(old, "node-a", "late failure",
                failed -> PipelineStatuses.failed("late failure", false, failed.environment())))).isEmpty();
        assertThat(await(queue.renew("node-a", List.of(old.leaseToken())))).isEmpty();

        Optional<Deployment> deployed = await(queue.deployed(current, true, "node-b", "key", deployed("url", "logs")));
        assertThat(deployed).isPresent();
        assertThat(deployed.get().status()).isEqualTo(DeploymentStatus.DEPLOYED);
        assertThat(deployed.get().node()).isEqualTo("node-b");
        // Nothing is left to claim.
        assertThat(await(queue.claim("node-c", List.of("shell")))).isEmpty();
    }

    @Test
    void nodesClaimOnlyWhatTheyCanBuild() throws Exception {
        assertThat(await(queue.claim("node-a", List.of("npm")))).isEmpty();
        assertThat(await(queue.unrunnable(List.of("npm")))).extracting(WorkQueue.Waiting::deploymentId).containsExactly(deploymentId);
        assertThat(await(queue.claim("node-b", List.of("npm", "shell")))).isPresent();
    }
}
