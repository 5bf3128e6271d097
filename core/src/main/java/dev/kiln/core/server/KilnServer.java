package dev.kiln.core.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

import dev.kiln.core.api.ApiRouter;
import dev.kiln.core.api.AuthFailureLimit;
import dev.kiln.core.api.HttpEdge;
import dev.kiln.core.Settings;
import dev.kiln.core.cluster.Cluster;
import dev.kiln.core.cluster.NodeCapabilities;
import dev.kiln.core.cluster.NodeRegistry;
import dev.kiln.core.cluster.PluginSync;
import dev.kiln.core.dashboard.Dashboard;
import dev.kiln.core.store.PluginFileStore;
import dev.kiln.core.store.NodeStore;
import dev.kiln.core.store.QueueStats;
import dev.kiln.core.metrics.KilnMetrics;
import dev.kiln.core.metrics.MetricsEndpoint;
import dev.kiln.core.store.NotificationStore;
import dev.kiln.core.notify.Notifier;
import dev.kiln.core.store.PhaseStore;
import dev.kiln.core.git.GitMirrors;
import dev.kiln.core.github.GithubApi;
import dev.kiln.core.pipeline.BuildSandbox;
import dev.kiln.core.pipeline.DeploymentService;
import dev.kiln.core.pipeline.Dispatcher;
import dev.kiln.core.pipeline.Poller;
import dev.kiln.core.pipeline.PipelineConfig;
import dev.kiln.core.pipeline.PipelineServices;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.sites.PublicUrls;
import dev.kiln.core.sites.CustomDomains;
import dev.kiln.core.sites.SiteCopies;
import dev.kiln.core.sites.SiteDirectory;
import dev.kiln.core.sites.TxtLookup;
import dev.kiln.core.store.DomainStore;
import dev.kiln.core.sites.SiteHandler;
import dev.kiln.core.store.ActiveDeployments;
import dev.kiln.core.store.CredentialVault;
import dev.kiln.core.store.SiteStore;
import dev.kiln.core.store.Database;
import dev.kiln.core.store.DatabaseHealth;
import dev.kiln.core.store.DeploymentStore;
import dev.kiln.core.store.embedded.EmbeddedDatabase;
import dev.kiln.core.store.LogStore;
import dev.kiln.core.store.ProjectPolls;
import dev.kiln.core.store.ProjectStore;
import dev.kiln.core.store.StatusStore;
import dev.kiln.core.store.TokenStore;
import dev.kiln.core.store.WebhookDeliveries;
import dev.kiln.core.store.WorkQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;

/**
 * One Kiln node: database, plugins, pipeline, API and sites, started in that order and stopped
 * in reverse.
 */
public final class KilnServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KilnServer.class);
    private static final int LEASE_SECONDS = 15;
    /** The domain whose subdomains are sites ({@code --sites-domain}). */
    public static final String SITES_DOMAIN_SETTING = "sites.domain";
    /** How many HTTP server instances (event loops) share the port; default: the number of cores. */
    static final String HTTP_INSTANCES_SETTING = "http.instances";

    private final ServerConfig config;
    private final PluginHost plugins;
    private Vertx vertx;
    private Cluster cluster;
    private KilnMetrics metrics;
    private volatile NodeRegistry registry;
    private EmbeddedDatabase embedded;
    private Pool pool;
    private int httpPort = -1;
    private SiteHandler sites;
    private SiteCopies siteCopies;
    private String nodeId;
    private String baseUrl;
    private DatabaseHealth health;
    private BuildSandbox sandbox;

    /**
     * A node, not started yet.
     *
     * @param config its configuration
     */
    public KilnServer(ServerConfig config) {
        this.config = config;
        this.plugins = new PluginHost(config.pluginsDirectory(), config.dataDirectory(), config.settings());
    }

    /**
     * The plugin host, to register built-in extensions before {@link #start()}.
     *
     * @return the host
     */
    public PluginHost plugins() {
        return plugins;
    }

    /**
     * Starts the node. Blocking; when it returns, migrations are done, plugins loaded and HTTP
     * is listening.
     *
     * @throws Exception when any part fails to start; what did start is stopped again
     */
    public void start() throws Exception {
        Settings settings = new Settings(config.settings());
        try {
            Files.createDirectories(config.dataDirectory());
            nodeId = NodeIdFile.read(config.dataDirectory());
            // The data directory, plugins/ and conf/ are what builds must never see.
            sandbox = BuildSandbox.configure(config.settings().get("builds.sandbox"), config.settings().get("builds.uid"),
                    List.of(config.dataDirectory(), config.pluginsDirectory(), config.pluginsDirectory().resolveSibling("conf")));
            // Tools Kiln fetches for builds (the Node a project asks for) are read-only inside every build.
            Path tools = Files.createDirectories(config.dataDirectory().resolve("tools"));
            sandbox.addReadOnlyMount(tools);
            String databaseUrl = config.databaseUrl();
            if (databaseUrl == null) {
                embedded = EmbeddedDatabase.start(config.dataDirectory().resolve("postgres"), config.durableDatabase(),
                        config.databasePort());
                databaseUrl = embedded.connectionUri();
            }
            metrics = new KilnMetrics(nodeId);
            cluster = Cluster.start(config.cluster(), nodeId, left -> {
                NodeRegistry current = registry;
                if (current != null) {
                    current.nodeLeft(left);
                }
            }, metrics);
            vertx = cluster.vertx();
            pool = Database.pool(vertx, databaseUrl, Math.max(8, config.executors() * 2 + 4));
            await(Database.migrate(pool).recover(error -> Future.failedFuture(new IllegalStateException(
                    "cannot use the database: " + error.getMessage(), error))));
            health = new DatabaseHealth(vertx, pool);
            TokenStore tokens = new TokenStore(pool);
            // Kept until a start reaches ready and shows it: a start that fails later must not lose it.
            Optional<String> generated = await(tokens.ensureAdmin(config.adminToken()));
            if (generated.isPresent()) {
                AdminTokenFile.keep(config.dataDirectory(), generated.get());
            } else if (config.adminToken() != null) {
                AdminTokenFile.delete(config.dataDirectory()); // replaced by the configured one
            }
            plugins.start();

            ProjectStore projects = new ProjectStore(pool, CredentialVault.open(config.dataDirectory().resolve("credentials.key")));
            int sealed = await(projects.sealStoredCredentials());
            if (sealed > 0) {
                LOG.info("Sealed the repository credentials of {} projects", sealed);
            }
            DeploymentStore deployments = new DeploymentStore(pool);
            StatusStore statuses = new StatusStore(pool);
            GitMirrors git = new GitMirrors(config.dataDirectory().resolve("git"), Duration.ofSeconds(60),
                    "true".equalsIgnoreCase(config.settings().get("git.allow_local")));
            Router root = Router.router(vertx);
            Availability availability = new Availability(health);
            availability.mount(root);
            NodeStore nodeStore = new NodeStore(pool);
            String sitesDomain = config.settings().getOrDefault(SITES_DOMAIN_SETTING, PublicUrls.DEFAULT_SITES_DOMAIN);
            SiteStore siteStore = new SiteStore(pool);
            SiteDirectory siteDirectory = new SiteDirectory(siteStore);
            sites = new SiteHandler(vertx, siteDirectory, plugins, nodeId, config.dataDirectory(), sitesDomain, metrics::siteRequest);
            siteCopies = new SiteCopies(vertx, siteStore, plugins, nodeId, config.dataDirectory(), config.http());
            siteDirectory.onChange(siteCopies::reconcileSoon);
            if (config.http()) {
                // Listen first: with port 0 the public URL is known only once the port is. Routes are
                // added before the node reports ready.
                int instances = settings.intAtLeast(HTTP_INSTANCES_SETTING, Runtime.getRuntime().availableProcessors(), 1);
                httpPort = await(HttpServers.listen(vertx, HttpEdge.guard(sites.inFrontOf(root)), instances, config.host(), config.port())
                        .recover(error -> Future.failedFuture(new IllegalStateException("cannot listen for HTTP on " + config.host() + ":"
                                + config.port() + " (" + error.getMessage() + "); choose another --port or stop what uses it", error))));
                baseUrl = "http://" + ("0.0.0.0".equals(config.host()) ? "localhost" : config.host()) + ":" + httpPort;
                await(siteDirectory.listen(vertx, databaseUrl).recover(error -> Future.succeededFuture()));
            } else {
                baseUrl = config.publicUrl() != null ? config.publicUrl() : await(WorkerPublicUrl.of(nodeStore, config.port()));
            }
            await(sites.start());
            await(siteCopies.start());
            PublicUrls urls = new PublicUrls(baseUrl(), sitesDomain);
            NotificationStore notifications = new NotificationStore(pool);
            DomainStore domainStore = new DomainStore(pool);
            Pool progress = Database.progressPool(vertx, databaseUrl, Math.max(4, config.executors() + 2));
            WorkQueue queue = new WorkQueue(pool, progress, LEASE_SECONDS);
            LogStore logs = new LogStore(progress, metrics::logLines);
            PipelineServices pipelineServices = new PipelineServices(queue, deployments, projects, logs, git, plugins, urls, sandbox,
                    metrics);
            DeploymentService deploymentService = new DeploymentService(vertx, pipelineServices, new ActiveDeployments(pool),
                    config.dataDirectory(), siteDirectory::changedHere);
            AuthFailureLimit authFailures = new AuthFailureLimit();
            ApiRouter.Services apiServices = new ApiRouter.Services(tokens, projects, deployments, plugins, urls, nodeStore, statuses,
                    deploymentService, new WebhookDeliveries(pool), notifications,
                    Boolean.parseBoolean(config.settings().getOrDefault("notifications.allow_local", "false").trim()), new PhaseStore(pool),
                    domainStore, new CustomDomains(vertx, domainStore, new TxtLookup(config.settings().get(TxtLookup.SERVER_SETTING)),
                    sitesDomain), authFailures);
            root.route(ApiRouter.BASE + "/*").subRouter(ApiRouter.create(vertx, apiServices));
            root.route("/hooks/*").subRouter(ApiRouter.hooks(vertx, apiServices));
            root.route(GithubApi.BASE + "/*").subRouter(GithubApi.router(vertx, new GithubApi.Services(tokens, projects, deployments,
                    statuses, urls, authFailures)));
            Pool metricsPool = pool;
            new MetricsEndpoint(metrics, tokens, Boolean.parseBoolean(config.settings().getOrDefault("metrics.public", "false").trim()),
                    () -> QueueStats.read(metricsPool).onSuccess(stats -> metrics.queue(stats.depth(), stats.oldestWaitingSeconds())))
                    .mount(root);
            sites.mount(root);
            Dashboard.mount(root);
            root.route().handler(context -> context.response().setStatusCode(404)
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .end("{\"error\":{\"code\":\"not_found\",\"message\":\"no such page; the API is under " + ApiRouter.BASE + "\"}}"));

            PipelineConfig pipeline = new PipelineConfig(nodeId, config.executors(), config.dataDirectory(), LEASE_SECONDS,
                    settings.intAtLeast("builds.grace_seconds", PipelineConfig.DEFAULT_BUILDER_GRACE_SECONDS, 0),
                    settings.intAtLeast("artifacts.keep", PipelineConfig.DEFAULT_KEEP_ARTIFACTS, 1),
                    settings.bytes("builds.cache_max_bytes", PipelineConfig.DEFAULT_CACHE_MAX_BYTES));
            NodeCapabilities capabilities = NodeCapabilities.probe(plugins);
            BuildSandbox.killLeftovers(nodeId);
            Dispatcher dispatcher = new Dispatcher(pipeline, pipelineServices);
            dispatcher.setRunnableBuilders(capabilities.builders());
            metrics.executors(nodeId, config.executors(), dispatcher::busy);
            await(vertx.deployVerticle(dispatcher));
            await(vertx.deployVerticle(new Notifier(notifications, urls, nodeId, new Notifier.NotifierSettings(
                    settings.intAtLeast("notifications.poll_ms", 1000, 50),
                    settings.intAtLeast("notifications.retry_base_ms", 10_000, 10),
                    Duration.ofSeconds(settings.intAtLeast("notifications.give_up_after_seconds", 3600, 1)),
                    Duration.ofSeconds(settings.intAtLeast("notifications.timeout_seconds", 10, 1))))));
            await(vertx.deployVerticle(new Poller(nodeId, new ProjectPolls(pool), pipelineServices, deploymentService)));
            registry = new NodeRegistry(vertx, nodeStore, queue, logs, nodeId, dispatcher::busy);
            await(registry.start(new NodeStore.Node(nodeId, cluster.address(), config.http() ? baseUrl() : null, "up",
                    config.executors(), 0, config.cluster().labels(), capabilities.builders(), capabilities.tools(), null, null,
                    null, List.of())));
            // Plugins installed through any node run on every node; a change re-probes what this node can build.
            await(new PluginSync(vertx, plugins, new PluginFileStore(pool), probed -> {
                dispatcher.setRunnableBuilders(probed.builders());
                nodeStore.capabilities(nodeId, probed.builders(), probed.tools());
            }).start());
            health.start();
            availability.ready();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /**
     * The sandbox builds run in, to add a read-only mount every build sees (a shared package store, a
     * downloaded tool). Set once {@link #start()} began.
     *
     * @return the sandbox
     */
    public BuildSandbox sandbox() {
        return sandbox;
    }

    /**
     * The port HTTP listens on.
     *
     * @return the actual port
     */
    public int actualPort() {
        return httpPort;
    }

    /**
     * The node's base URL.
     *
     * @return for example {@code http://localhost:8080}
     */
    public String baseUrl() {
        return config.publicUrl() != null ? config.publicUrl() : baseUrl;
    }

    /**
     * This node's id, stable across restarts on the same data directory.
     *
     * @return the id
     */
    public String nodeId() {
        return nodeId;
    }

    /**
     * The admin token generated at the first start, until a start that reached ready has shown it; empty when one was
     * shown before or was configured.
     *
     * @return the plain token
     * @throws IOException when its file cannot be read
     */
    public Optional<String> generatedAdminToken() throws IOException {
        return AdminTokenFile.read(config.dataDirectory());
    }

    /**
     * Forgets the generated admin token once it was shown.
     *
     * @throws IOException when its file cannot be deleted
     */
    public void adminTokenShown() throws IOException {
        AdminTokenFile.delete(config.dataDirectory());
    }

    /**
     * How other nodes on this machine reach the embedded database.
     *
     * @return the {@code --database-url} (without the password) and {@code --database-password-file} arguments, or
     *     empty for an external database
     */
    public Optional<String> databaseJoinArguments() {
        return embedded == null ? Optional.empty() : Optional.of("--database-url " + embedded.sharedUri()
                + " --database-password-file " + embedded.passwordFile());
    }

    /**
     * This node's meters.
     *
     * @return the meters
     */
    public KilnMetrics metrics() {
        return metrics;
    }

    /**
     * The Vert.x instance, for tests.
     *
     * @return the instance
     */
    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        if (health != null) {
            health.stop();
        }
        if (registry != null) {
            stopQuietly("Could not mark this node stopped", registry::stop, true);
            registry = null;
        }
        if (siteCopies != null) {
            stopQuietly("Could not stop answering for site copies", siteCopies::stop, false);
        }
        if (sites != null) {
            stopQuietly("Could not stop serving files to other nodes", sites::stop, false);
            sites = null;
        }
        if (vertx != null) {
            // Undeploying the dispatcher hands running work to other nodes before the pool closes.
            try {
                for (String id : vertx.deploymentIDs()) {
                    await(vertx.undeploy(id));
                }
            } catch (Exception e) {
                LOG.warn("Error while stopping the pipeline: {}", e.getMessage());
            }
            cluster.close();
            vertx = null;
        }
        plugins.stop();
        if (embedded != null) {
            embedded.close();
            embedded = null;
        }
    }

    /** Stops a part of the node; a failure is logged (as a warning when it matters to an operator) and the rest goes on. */
    private static void stopQuietly(String failure, java.util.function.Supplier<Future<?>> stop, boolean warn) {
        try {
            await(stop.get());
        } catch (Exception e) {
            if (warn) {
                LOG.warn("{}: {}", failure, e.getMessage());
            } else {
                LOG.debug("{}: {}", failure, e.getMessage());
            }
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
