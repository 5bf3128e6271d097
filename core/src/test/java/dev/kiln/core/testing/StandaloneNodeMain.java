package dev.kiln.core.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.kiln.core.server.KilnServer;
import dev.kiln.core.server.ServerConfig;

/**
 * A standalone Kiln node in a process of its own, with core's test builder and storage, started as
 * {@code bin/kiln} starts one: the admin token from {@code KILN_ADMIN_TOKEN}. Arguments: data directory,
 * database URL, plugins directory, then settings as {@code key=value}. Prints
 * {@code READY <base url> <node id>} when it serves.
 */
public final class StandaloneNodeMain {

    private StandaloneNodeMain() {
    }

    /**
     * Starts the node and waits forever.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> settings = new HashMap<>();
        for (int i = 3; i < args.length; i++) {
            settings.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        }
        ServerConfig config = new ServerConfig(0, "127.0.0.1", Path.of(args[0]), args[1], null, Path.of(args[2]), 1,
                System.getenv("KILN_ADMIN_TOKEN"), settings, false);
        KilnServer server = new KilnServer(config);
        TestKiln.registerFakes(server.plugins());
        server.start();
        System.out.println("READY " + server.baseUrl() + " " + server.nodeId());
        System.out.flush();
        Thread.currentThread().join();
    }
}
