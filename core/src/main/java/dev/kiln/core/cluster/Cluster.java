package dev.kiln.core.cluster;

import java.util.function.Consumer;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import dev.kiln.core.metrics.KilnMetrics;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Starts Vert.x, clustered over Hazelcast when the settings ask for it. Each node gets a
 * {@link Config} of its own, TCP-IP join only, and failure detection tuned so a killed node is
 * noticed in a second or two rather than Hazelcast's default minute.
 */
public final class Cluster {

    /** The Hazelcast member attribute carrying the Kiln node id. */
    static final String NODE_ATTRIBUTE = "kiln.node";

    private final HazelcastInstance hazelcast;
    private final Vertx vertx;

    private Cluster(HazelcastInstance hazelcast, Vertx vertx) {
        this.hazelcast = hazelcast;
        this.vertx = vertx;
    }

    /**
     * Starts Vert.x for a node. Blocking.
     *
     * @param settings the cluster settings
     * @param nodeId the Kiln node id
     * @param nodeLeft called with the Kiln node id of a member that left
     * @param metrics the node's meters, which Vert.x reports into
     * @return the started cluster
     * @throws Exception when joining fails
     */
    public static Cluster start(ClusterSettings settings, String nodeId, Consumer<String> nodeLeft, KilnMetrics metrics) throws Exception {
        VertxOptions options = metrics.configure(new VertxOptions());
        if (!settings.enabled()) {
            return new Cluster(null, metrics.install(Vertx.builder().with(options)).build());
        }
        Config config = hazelcastConfig(settings, nodeId);
        HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                // Joining nodes announce themselves through the database and the event bus.
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                String left = event.getMember().getAttribute(NODE_ATTRIBUTE);
                if (left != null) {
                    nodeLeft.accept(left);
                }
            }
        });
        options.setEventBusOptions(new EventBusOptions().setHost(settings.host()).setPort(0));
        try {
            Vertx vertx = metrics.install(Vertx.builder().with(options)).withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered()
                    .toCompletionStage().toCompletableFuture().get();
            return new Cluster(hazelcast, vertx);
        } catch (Exception e) {
            hazelcast.shutdown();
            throw e;
        }
    }

    static Config hazelcastConfig(ClusterSettings settings, String nodeId) {
        Config config = new Config();
        config.setClusterName(settings.clusterName());
        config.setInstanceName("kiln-" + nodeId + "-" + System.nanoTime());
        config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, nodeId);
        // Vert.x finds its own node id in this attribute when handed a ready Hazelcast instance.
        config.getMemberAttributeConfig().setAttribute("__vertx.nodeId", java.util.UUID.randomUUID().toString());
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        // Notice a killed member fast: heartbeats every second, suspect after three missed, and
        // give up on a refused connection quickly.
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "3");
        config.setProperty("hazelcast.connection.monitor.interval", "100");
        config.setProperty("hazelcast.connection.monitor.max.faults", "2");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        config.getNetworkConfig().setPort(settings.port() == 0 ? 5701 : settings.port()).setPortAutoIncrement(settings.port() == 0);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(settings.host());
        config.getNetworkConfig().setPublicAddress(settings.host() + (settings.port() == 0 ? "" : ":" + settings.port()));
        config.setProperty("hazelcast.local.localAddress", settings.host());
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(settings.members().isEmpty()
                ? java.util.List.of(settings.host()) : settings.members());
        return config;
    }

    /**
     * The Vert.x instance.
     *
     * @return the instance
     */
    public Vertx vertx() {
        return vertx;
    }

    /**
     * The address Hazelcast listens on, for the nodes API.
     *
     * @return {@code host:port}, or null when standalone
     */
    public String address() {
        if (hazelcast == null) {
            return null;
        }
        var address = hazelcast.getCluster().getLocalMember().getAddress();
        return address.getHost() + ":" + address.getPort();
    }

    /**
     * Whether this node is clustered.
     *
     * @return true when clustered
     */
    public boolean clustered() {
        return hazelcast != null;
    }

    /**
     * Leaves the cluster and stops Vert.x. Blocking.
     */
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            // Shutting down anyway.
        }
        if (hazelcast != null) {
            hazelcast.shutdown();
        }
    }
}
