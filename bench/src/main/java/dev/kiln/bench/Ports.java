package dev.kiln.bench;

import java.io.IOException;
import java.net.ServerSocket;

/** Free TCP ports on this machine. */
final class Ports {

    private Ports() {
    }

    /**
     * A port nothing listens on right now.
     *
     * @return the port
     * @throws IOException when no socket can be opened
     */
    static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
