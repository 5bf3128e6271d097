package dev.kiln.core.server;

import java.util.Comparator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.core.store.NodeStore;
import io.vertx.core.Future;

/**
 * The public URL of a worker that serves no HTTP: the one the farm's HTTP nodes report (the
 * earliest to join), so that the URLs it hands out lead to the farm, not to itself.
 */
final class WorkerPublicUrl {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPublicUrl.class);

    private WorkerPublicUrl() {
    }

    /**
     * Finds it.
     *
     * @param nodes the farm's nodes
     * @param port this node's configured port, for the fallback when no HTTP node is up yet
     * @return the URL
     */
    static Future<String> of(NodeStore nodes, int port) {
        return nodes.list().map(list -> list.stream()
                .filter(node -> "up".equals(node.state()) && node.httpUrl() != null)
                .min(Comparator.comparing(NodeStore.Node::joinedAt, Comparator.nullsLast(Comparator.naturalOrder())))
                .map(NodeStore.Node::httpUrl)
                .orElseGet(() -> {
                    LOG.warn("No node serving HTTP is up yet and --public-url is not set; URLs will say http://localhost:{}", port);
                    return "http://localhost:" + port;
                }));
    }
}
