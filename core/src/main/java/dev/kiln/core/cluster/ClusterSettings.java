package dev.kiln.core.cluster;

import java.util.List;
import java.util.Objects;

/**
 * How a node joins the build farm.
 *
 * @param enabled whether this node is clustered at all
 * @param host the address Hazelcast and the event bus bind to
 * @param port the Hazelcast port; 0 picks a free one
 * @param members {@code host:port} of other members to join over TCP-IP
 * @param clusterName nodes only join a cluster of the same name
 * @param labels free-form labels this node reports
 */
public record ClusterSettings(boolean enabled, String host, int port, List<String> members, String clusterName, List<String> labels) {

    /** A standalone node. */
    public static final ClusterSettings STANDALONE = new ClusterSettings(false, "127.0.0.1", 0, List.of(), "kiln", List.of());

    /**
     * Validates the settings.
     */
    public ClusterSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(clusterName, "clusterName");
        members = List.copyOf(members);
        labels = List.copyOf(labels);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("cluster port must be between 0 and 65535");
        }
        for (String member : members) {
            int colon = member.lastIndexOf(':');
            if (colon <= 0 || colon == member.length() - 1) {
                throw new IllegalArgumentException("--join takes host:port, got '" + member + "'");
            }
            try {
                int memberPort = Integer.parseInt(member.substring(colon + 1));
                if (memberPort < 1 || memberPort > 65535) {
                    throw new IllegalArgumentException("--join port out of range in '" + member + "'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--join takes host:port, got '" + member + "'");
            }
        }
    }
}
