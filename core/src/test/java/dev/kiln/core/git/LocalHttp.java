package dev.kiln.core.git;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;

/** HTTP servers on 127.0.0.1 standing in for Git hosts: failing ones, and a dumb-protocol one with basic auth. */
final class LocalHttp implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final CountDownLatch released = new CountDownLatch(1);

    private LocalHttp(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
    }

    /** Answers every request with this status. */
    static LocalHttp status(int status) throws IOException {
        return new LocalHttp(exchange -> {
            if (status == 401) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
    }

    /** Accepts requests and never answers them until closed. */
    static LocalHttp silent() throws IOException {
        LocalHttp[] self = new LocalHttp[1];
        self[0] = new LocalHttp(exchange -> {
            try {
                self[0].released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        return self[0];
    }

    /**
     * Serves a repository over Git's dumb HTTP protocol at {@code /repo.git}, asking for basic auth
     * with this user and password.
     */
    static LocalHttp dumbGit(Repository repo, String user, String password) throws IOException {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        Path gitDir = repo.getDirectory().toPath();
        return new LocalHttp(exchange -> {
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (!path.startsWith("/repo.git/")) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            String file = path.substring("/repo.git/".length());
            if (file.equals("info/refs")) {
                StringBuilder refs = new StringBuilder();
                for (Ref ref : repo.getRefDatabase().getRefs()) {
                    refs.append(ref.getObjectId().name()).append('\t').append(ref.getName()).append('\n');
                }
                send(exchange, refs.toString().getBytes(StandardCharsets.UTF_8));
            } else if (file.equals("objects/info/packs")) {
                StringBuilder packs = new StringBuilder();
                Path packDir = gitDir.resolve("objects/pack");
                if (Files.isDirectory(packDir)) {
                    try (Stream<Path> list = Files.list(packDir)) {
                        list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pack"))
                                .forEach(n -> packs.append("P ").append(n).append('\n'));
                    }
                }
                send(exchange, packs.toString().getBytes(StandardCharsets.UTF_8));
            } else if (!file.contains("..") && Files.isRegularFile(gitDir.resolve(file))) {
                send(exchange, Files.readAllBytes(gitDir.resolve(file)));
            } else {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
            }
        });
    }

    private static void send(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** http://127.0.0.1:port with the given user info (or none) and path. */
    String url(String userInfo, String path) {
        return "http://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
