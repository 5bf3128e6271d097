package dev.kiln.core.server;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.kiln.core.Settings;
import dev.kiln.core.cluster.ClusterSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code kiln} command line.
 */
@Command(name = "kiln", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Kiln: a self-hosted build and deploy orchestrator.",
        subcommands = {Main.Server.class, AdminTokenCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'kiln server'");
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((error, line, parsed) -> {
            line.getErr().println("kiln: error: " + oneLine(error));
            return 1;
        });
        commandLine.setParameterExceptionHandler((error, args) -> {
            PrintWriter err = error.getCommandLine().getErr();
            err.println("kiln: " + error.getMessage());
            err.println("Try '" + error.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options.");
            return 2;
        });
        return commandLine;
    }

    static String oneLine(Throwable error) {
        Throwable root = error;
        String message = error.getMessage();
        while ((message == null || message.isBlank()) && root.getCause() != null) {
            root = root.getCause();
            message = root.getMessage();
        }
        if (message == null || message.isBlank()) {
            message = root.getClass().getSimpleName();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kiln " + (version == null ? "development build" : version)};
        }
    }

    /** {@code kiln server}. */
    @Command(name = "server", mixinStandardHelpOptions = true,
            description = "Starts a Kiln node: the API, the build pipeline and the deployed sites.")
    static final class Server implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--port", paramLabel = "N", description = "HTTP port (default: ${DEFAULT-VALUE}).", defaultValue = "8080")
        int port;

        @Option(names = "--host", paramLabel = "ADDRESS", description = "Address HTTP binds to (default: ${DEFAULT-VALUE}).",
                defaultValue = "0.0.0.0")
        String host;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Where the embedded database, workspaces and local artifacts live (default: ${DEFAULT-VALUE}).",
                defaultValue = "./kiln-data")
        Path dataDirectory;

        @CommandLine.Mixin
        DatabaseOptions database;

        @Option(names = "--database-port", paramLabel = "N",
                description = "The embedded database's port, kept from now on (default: the one chosen at the first start, "
                        + "stored in <data-dir>/postgres/port).")
        int databasePort;

        @Option(names = "--public-url", paramLabel = "URL",
                description = "The base URL users reach this node at (default: http://localhost:<port>).")
        String publicUrl;

        @Option(names = "--sites-domain", paramLabel = "DOMAIN",
                description = "Sites are served at <slug>.DOMAIN, <id>--<slug>.DOMAIN and <branch>--<slug>.DOMAIN "
                        + "(default: localhost; conf: sites.domain).")
        String sitesDomain;

        @Option(names = "--plugins-dir", paramLabel = "DIR",
                description = "Where plugin files are (default: the distribution's plugins/ directory).")
        Path pluginsDirectory;

        @Option(names = "--executors", paramLabel = "N",
                description = "How many deployments this node builds at once (default: the number of CPU cores).")
        Integer executors;

        @Option(names = "--cluster-port", paramLabel = "N",
                description = "Join the build farm: the Hazelcast port of this node (conf: cluster.port). Clustering is on when "
                        + "this or --join is given.")
        Integer clusterPort;

        @Option(names = "--cluster-host", paramLabel = "ADDRESS",
                description = "The address the cluster binds to (default: 127.0.0.1; conf: cluster.host).")
        String clusterHost;

        @Option(names = "--join", paramLabel = "HOST:PORT[,HOST:PORT...]", split = ",",
                description = "Other nodes to join over TCP-IP (conf: cluster.join).")
        java.util.List<String> join;

        @Option(names = "--cluster-name", paramLabel = "NAME",
                description = "Nodes only join a cluster of the same name (default: kiln; conf: cluster.name).")
        String clusterName;

        @Option(names = "--labels", paramLabel = "A,B", split = ",",
                description = "Labels this node reports in the nodes API (conf: cluster.labels).")
        java.util.List<String> labels;

        @Option(names = "--no-http", description = "Run as a build worker only: no API and no sites (conf: http=false).")
        boolean noHttp;

        @Option(names = "--config", paramLabel = "FILE",
                description = "A properties file of further settings, such as storage.s3.bucket "
                        + "(default: the distribution's conf/kiln.properties, when present).")
        Path configFile;

        @Override
        public Integer call() throws Exception {
            Path home = Path.of(System.getProperty("kiln.home", "."));
            Map<String, String> settings = Settings.read(configFile != null ? configFile : home.resolve("conf/kiln.properties"),
                    configFile != null);
            String databaseUrl = database.url(spec.commandLine());
            if (databasePort < 0 || databasePort > 65535 || (databasePort > 0 && databaseUrl != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), databaseUrl != null
                        ? "--database-port is for the embedded database; the port of --database-url is in the URL"
                        : "--database-port must be between 1 and 65535");
            }
            ClusterSettings cluster;
            try {
                cluster = clusterSettings(settings);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            int executorCount;
            try {
                executorCount = executors != null ? executors
                        : new Settings(settings).intAtLeast("executors", Runtime.getRuntime().availableProcessors(), 1);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (executorCount < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--executors must be at least 1");
            }
            boolean http = !noHttp && !"false".equalsIgnoreCase(settings.get("http"));
            if (sitesDomain != null) {
                settings.put(KilnServer.SITES_DOMAIN_SETTING, sitesDomain);
            }
            try {
                new dev.kiln.core.sites.PublicUrls("http://localhost", settings.get(KilnServer.SITES_DOMAIN_SETTING));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sites-domain: " + e.getMessage());
            }
            ServerConfig config = new ServerConfig(port, host, dataDirectory.toAbsolutePath().normalize(), databaseUrl, publicUrl,
                    (pluginsDirectory != null ? pluginsDirectory : home.resolve("plugins")).toAbsolutePath().normalize(),
                    executorCount, System.getenv("KILN_ADMIN_TOKEN"), settings, true, cluster, http, databasePort);
            KilnServer server = new KilnServer(config);
            server.start();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "kiln-shutdown"));
            java.util.Optional<String> adminToken = server.generatedAdminToken();
            if (adminToken.isPresent()) {
                System.out.println("Admin token (shown once; keep it, or set KILN_ADMIN_TOKEN; 'kiln admin-token --reset' "
                        + "makes a new one): " + adminToken.get());
                System.out.flush();
                server.adminTokenShown();
            }
            server.databaseJoinArguments().ifPresent(arguments -> System.out.println(
                    "Other nodes on this machine share its database with: " + arguments));
            System.out.println("Kiln is ready at " + server.baseUrl() + " (node " + server.nodeId() + ", data in "
                    + config.dataDirectory() + ")");
            stopped.await();
            return 0;
        }

        private ClusterSettings clusterSettings(Map<String, String> settings) {
            Integer portSetting = clusterPort != null ? clusterPort
                    : settings.containsKey("cluster.port") ? Integer.valueOf(settings.get("cluster.port")) : null;
            java.util.List<String> members = join != null ? join : split(settings.get("cluster.join"));
            boolean enabled = portSetting != null || !members.isEmpty() || "true".equalsIgnoreCase(settings.get("cluster.enabled"));
            return new ClusterSettings(enabled,
                    clusterHost != null ? clusterHost : settings.getOrDefault("cluster.host", "127.0.0.1"),
                    portSetting == null ? 0 : portSetting,
                    members.stream().map(String::trim).filter(member -> !member.isEmpty()).toList(),
                    clusterName != null ? clusterName : settings.getOrDefault("cluster.name", "kiln"),
                    (labels != null ? labels : split(settings.get("cluster.labels"))).stream()
                            .map(String::trim).filter(label -> !label.isEmpty()).toList());
        }

        private static java.util.List<String> split(String value) {
            return value == null || value.isBlank() ? java.util.List.of() : java.util.List.of(value.split(","));
        }
    }
}
