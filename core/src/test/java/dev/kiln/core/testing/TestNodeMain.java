package dev.kiln.core.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.kiln.core.cluster.ClusterSettings;
import dev.kiln.core.server.KilnServer;
import dev.kiln.core.server.ServerConfig;

/**
 * A Kiln node in a process of its own, with core's test builder and storage, for tests that kill
 * nodes. Arguments: data directory, database URL, cluster port, members to join (comma separated).
 * Prints {@code READY <base url> <node id>} when it serves.
 */
public final class TestNodeMain {

    private TestNodeMain() {
    }

    /**
     * Starts the node and waits forever.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        ClusterSettings cluster = new ClusterSettings(true, "127.0.0.1", Integer.parseInt(args[2]), List.of(args[3].split(",")),
                "kiln-kill-test", List.of());
        ServerConfig config = new ServerConfig(0, "127.0.0.1", Path.of(args[0]), args[1], null, Path.of(args[0], "no-plugins"), 1,
                TestKiln.ADMIN, Map.of(), false, cluster, true);
        KilnServer server = new KilnServer(config);
        TestKiln.registerFakes(server.plugins());
        server.start();
        System.out.println("READY " + server.baseUrl() + " " + server.nodeId());
        System.out.flush();
        Thread.currentThread().join();
    }
}
