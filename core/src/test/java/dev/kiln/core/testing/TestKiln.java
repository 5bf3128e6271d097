package dev.kiln.core.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.server.KilnServer;
import dev.kiln.core.server.ServerConfig;
import io.vertx.core.json.JsonObject;

/**
 * A running Kiln node on 127.0.0.1 with a fresh database, and an HTTP client for its API.
 * {@link KilnExtension} is one started and shared for a test class.
 */
public class TestKiln implements AutoCloseable {

    /** The admin token every test node has. */
    public static final String ADMIN = "test-admin-token";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final KilnServer server;
    private final Path dataDirectory;
    private final String databaseUrl;

    /** For {@link KilnExtension}, which starts its node later and overrides the accessors. */
    TestKiln() {
        this(null, null, null);
    }

    private TestKiln(KilnServer server, Path dataDirectory, String databaseUrl) {
        this.server = server;
        this.dataDirectory = dataDirectory;
        this.databaseUrl = databaseUrl;
    }

    /**
     * Starts a node with core's fake builder and storage registered.
     *
     * @param dataDirectory its data directory
     * @return the node
     * @throws Exception on failure
     */
    public static TestKiln start(Path dataDirectory) throws Exception {
        return start(dataDirectory, TestDatabase.freshDatabase(), TestKiln::registerFakes);
    }

    /**
     * Starts a node.
     *
     * @param dataDirectory its data directory
     * @param databaseUrl the database
     * @param plugins registers built-in extensions before start
     * @return the node
     * @throws Exception on failure
     */
    public static TestKiln start(Path dataDirectory, String databaseUrl, Consumer<PluginHost> plugins) throws Exception {
        return start(dataDirectory, databaseUrl, plugins, dataDirectory.resolve("no-plugins"), Map.of());
    }

    /**
     * Starts a node with a plugins directory and settings.
     *
     * @param dataDirectory its data directory
     * @param databaseUrl the database
     * @param plugins registers built-in extensions before start
     * @param pluginsDirectory where plugin files are
     * @param settings further settings
     * @return the node
     * @throws Exception on failure
     */
    public static TestKiln start(Path dataDirectory, String databaseUrl, Consumer<PluginHost> plugins, Path pluginsDirectory,
                                 Map<String, String> settings) throws Exception {
        ServerConfig config = new ServerConfig(0, "127.0.0.1", dataDirectory, databaseUrl, null, pluginsDirectory, 2, ADMIN, settings, false);
        KilnServer server = new KilnServer(config);
        plugins.accept(server.plugins());
        server.start();
        return new TestKiln(server, dataDirectory, databaseUrl);
    }

    /**
     * Starts a node with its own durable embedded database in its data directory, as {@code kiln server} runs.
     *
     * @param dataDirectory its data directory
     * @return the node
     * @throws Exception on failure
     */
    public static TestKiln startEmbedded(Path dataDirectory) throws Exception {
        ServerConfig config = new ServerConfig(0, "127.0.0.1", dataDirectory, null, null, dataDirectory.resolve("no-plugins"), 1,
                ADMIN, Map.of(), true);
        KilnServer server = new KilnServer(config);
        registerFakes(server.plugins());
        server.start();
        return new TestKiln(server, dataDirectory, null);
    }

    /**
     * Starts a node with cluster settings.
     *
     * @param dataDirectory its data directory
     * @param databaseUrl the database, shared by the cluster
     * @param plugins registers built-in extensions before start
     * @param executors builds at once
     * @param cluster the cluster settings
     * @return the node
     * @throws Exception on failure
     */
    public static TestKiln startNode(Path dataDirectory, String databaseUrl, Consumer<PluginHost> plugins, int executors,
                                     dev.kiln.core.cluster.ClusterSettings cluster) throws Exception {
        return startNode(dataDirectory, databaseUrl, plugins, executors, cluster, true);
    }

    /**
     * Starts a node with cluster settings, optionally without HTTP.
     *
     * @param dataDirectory its data directory
     * @param databaseUrl the database, shared by the cluster
     * @param plugins registers built-in extensions before start
     * @param executors builds at once
     * @param cluster the cluster settings
     * @param http false for a worker-only node
     * @return the node
     * @throws Exception on failure
     */
    public static TestKiln startNode(Path dataDirectory, String databaseUrl, Consumer<PluginHost> plugins, int executors,
                                     dev.kiln.core.cluster.ClusterSettings cluster, boolean http) throws Exception {
        return startNode(dataDirectory, databaseUrl, plugins, executors, cluster, http, Map.of());
    }

    /**
     * Starts a node with cluster settings and further settings.
     *
     * @param dataDirectory its data directory
     * @param databaseUrl the database, shared by the cluster
     * @param plugins registers built-in extensions before start
     * @param executors builds at once
     * @param cluster the cluster settings
     * @param http false for a worker-only node
     * @param settings further settings
     * @return the node
     * @throws Exception on failure
     */
    public static TestKiln startNode(Path dataDirectory, String databaseUrl, Consumer<PluginHost> plugins, int executors,
                                     dev.kiln.core.cluster.ClusterSettings cluster, boolean http, Map<String, String> settings)
            throws Exception {
        ServerConfig config = new ServerConfig(0, "127.0.0.1", dataDirectory, databaseUrl, null, dataDirectory.resolve("no-plugins"),
                executors, ADMIN, settings, false, cluster, http);
        KilnServer server = new KilnServer(config);
        plugins.accept(server.plugins());
        server.start();
        return new TestKiln(server, dataDirectory, databaseUrl);
    }

    /**
     * Registers {@link ShellBuilder} and {@link FakeStorage}.
     *
     * @param host the plugin host
     */
    public static void registerFakes(PluginHost host) {
        host.register(new ShellBuilder());
        host.register(new FakeStorage());
    }

    /**
     * The node.
     *
     * @return the server
     */
    public KilnServer server() {
        return server;
    }

    /**
     * Its database.
     *
     * @return the URI
     */
    public String databaseUrl() {
        return databaseUrl;
    }

    /**
     * Its data directory.
     *
     * @return the directory
     */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * The node's base URL.
     *
     * @return for example {@code http://127.0.0.1:41234}
     */
    public String baseUrl() {
        return server().baseUrl();
    }

    /**
     * Sends an API request.
     *
     * @param method the method
     * @param path the path under {@code /api/v1/public}
     * @param token the bearer token, or null for none
     * @param body the raw body, or null for none
     * @return the response
     * @throws Exception on I/O failure
     */
    public Response api(String method, String path, String token, String body) throws Exception {
        return send(method, "/api/v1/public" + path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), body);
    }

    /**
     * Sends an admin API request with a JSON body.
     *
     * @param method the method
     * @param path the path under {@code /api/v1/public}
     * @param body the body, or null
     * @return the response
     * @throws Exception on I/O failure
     */
    public Response admin(String method, String path, JsonObject body) throws Exception {
        return api(method, path, ADMIN, body == null ? null : body.encode());
    }

    /**
     * GETs a URL the API handed out (a site under the sites domain, or a path of this node).
     *
     * @param url the URL
     * @return the response
     * @throws Exception on I/O failure
     */
    public Response get(String url) throws Exception {
        return site("GET", url, Map.of());
    }

    /**
     * Requests a URL the API handed out from this node: its host goes in the {@code Host} header,
     * the connection goes to this node (no DNS for {@code *.localhost} needed).
     *
     * @param method the method
     * @param url the URL
     * @param headers further request headers
     * @return the response
     * @throws Exception on I/O failure
     */
    public Response site(String method, String url, Map<String, String> headers) throws Exception {
        URI target = URI.create(url);
        String path = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.putIfAbsent("Host", target.getHost() + (target.getPort() < 0 ? "" : ":" + target.getPort()));
        return send(method, path, all, null);
    }

    /**
     * Sends any request to the node.
     *
     * @param method the method
     * @param path the absolute path
     * @param headers request headers
     * @param body the raw body, or null
     * @return the response
     * @throws Exception on I/O failure
     */
    public Response send(String method, String path, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        if (headers.containsKey("Host")) {
            // HTTP/2's :authority would stand beside the Host header.
            request.version(HttpClient.Version.HTTP_1_1);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response);
    }

    /**
     * An HTTP response.
     *
     * @param status the status code
     * @param body the body text
     * @param raw the full response
     */
    public record Response(int status, String body, HttpResponse<String> raw) {

        /**
         * The body as JSON.
         *
         * @return the object
         */
        public JsonObject json() {
            return new JsonObject(body);
        }

        /**
         * The {@code data} member of the envelope.
         *
         * @return the data object
         */
        public JsonObject data() {
            return json().getJsonObject("data");
        }

        /**
         * The error code of an error envelope.
         *
         * @return the code
         */
        public String errorCode() {
            return json().getJsonObject("error").getString("code");
        }

        /**
         * A header.
         *
         * @param name the header
         * @return its value or null
         */
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    /**
     * Uploads a plugin file with the admin token.
     *
     * @param file the plugin jar or zip
     * @return the response
     * @throws Exception on I/O failure
     */
    public Response uploadPlugin(byte[] file) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/public/plugins"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/octet-stream")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(file)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response);
    }

    /**
     * Creates a project through the API and returns its id.
     *
     * @param name the name
     * @param repoUrl the repository
     * @param extra further fields
     * @return the project's JSON
     * @throws Exception on failure
     */
    public JsonObject createProject(String name, String repoUrl, JsonObject extra) throws Exception {
        JsonObject body = new JsonObject().put("name", name).put("repo_url", repoUrl).put("builder", "shell");
        if (extra != null) {
            body.mergeIn(extra);
        }
        Response response = admin("POST", "/projects", body);
        if (response.status() != 201) {
            throw new AssertionError("creating project failed: " + response.status() + " " + response.body());
        }
        return response.data();
    }

    /**
     * Triggers a deployment and returns it.
     *
     * @param projectId the project
     * @return the deployment JSON
     * @throws Exception on failure
     */
    public JsonObject trigger(long projectId) throws Exception {
        Response response = admin("POST", "/projects/" + projectId + "/deployments", null);
        if (response.status() != 201) {
            throw new AssertionError("trigger failed: " + response.status() + " " + response.body());
        }
        return response.data();
    }

    /**
     * Polls a deployment until it reaches one of the given statuses.
     *
     * @param projectId the project
     * @param deploymentId the deployment
     * @param timeout how long to wait at most
     * @param statuses the statuses to wait for
     * @return the deployment JSON
     * @throws Exception on failure or time-out
     */
    public JsonObject awaitStatus(long projectId, long deploymentId, Duration timeout, String... statuses) throws Exception {
        JsonObject[] deployment = new JsonObject[1];
        try {
            Eventually.await(timeout, "deployment " + deploymentId + " to reach " + String.join("/", statuses), () -> {
                deployment[0] = admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId, null).data();
                return java.util.Arrays.asList(statuses).contains(deployment[0].getString("status"));
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + deployment[0]
                    + "\nlogs: " + admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId + "/logs", null).body(), e);
        }
        return deployment[0];
    }

    @Override
    public void close() {
        server().close();
    }
}
