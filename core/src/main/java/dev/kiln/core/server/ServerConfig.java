package dev.kiln.core.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import dev.kiln.core.cluster.ClusterSettings;

/**
 * How one Kiln node runs.
 *
 * @param port the HTTP port; 0 picks a free one
 * @param host the HTTP bind address
 * @param dataDirectory database (when embedded), workspaces, mirrors and local artifacts
 * @param databaseUrl a {@code postgresql://} URL, or null for the embedded database
 * @param publicUrl the base URL users reach this node at, or null for {@code http://localhost:<port>}
 * @param pluginsDirectory where plugin files are
 * @param executors how many deployments this node runs at once
 * @param adminToken the admin token to install, or null to generate one on first start
 * @param settings further settings, such as {@code storage.s3.bucket}
 * @param durableDatabase false to trade crash safety of the embedded database for speed (tests)
 * @param cluster how this node joins the build farm
 * @param http false for a worker-only node that serves no HTTP
 * @param databasePort the embedded database's port from now on, or 0 for the one it was given at its first start
 */
public record ServerConfig(
        int port,
        String host,
        Path dataDirectory,
        String databaseUrl,
        String publicUrl,
        Path pluginsDirectory,
        int executors,
        String adminToken,
        Map<String, String> settings,
        boolean durableDatabase,
        ClusterSettings cluster,
        boolean http,
        int databasePort) {

    /**
     * Validates the config.
     */
    public ServerConfig {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(pluginsDirectory, "pluginsDirectory");
        settings = Map.copyOf(settings);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
        if (executors < 1) {
            throw new IllegalArgumentException("executors must be at least 1");
        }
        Objects.requireNonNull(cluster, "cluster");
        if (databasePort < 0 || databasePort > 65535) {
            throw new IllegalArgumentException("databasePort must be between 0 and 65535");
        }
    }

    /**
     * A node whose embedded database keeps the port it was given at its first start.
     *
     * @param port the HTTP port
     * @param host the HTTP bind address
     * @param dataDirectory the data directory
     * @param databaseUrl the database, or null for embedded
     * @param publicUrl the public base URL, or null
     * @param pluginsDirectory where plugin files are
     * @param executors builds at once
     * @param adminToken the admin token, or null
     * @param settings further settings
     * @param durableDatabase whether the embedded database syncs to disk
     * @param cluster how this node joins the build farm
     * @param http false for a worker-only node
     */
    public ServerConfig(int port, String host, Path dataDirectory, String databaseUrl, String publicUrl, Path pluginsDirectory,
                        int executors, String adminToken, Map<String, String> settings, boolean durableDatabase,
                        ClusterSettings cluster, boolean http) {
        this(port, host, dataDirectory, databaseUrl, publicUrl, pluginsDirectory, executors, adminToken, settings, durableDatabase,
                cluster, http, 0);
    }

    /**
     * A standalone node serving HTTP.
     *
     * @param port the HTTP port
     * @param host the HTTP bind address
     * @param dataDirectory the data directory
     * @param databaseUrl the database, or null for embedded
     * @param publicUrl the public base URL, or null
     * @param pluginsDirectory where plugin files are
     * @param executors builds at once
     * @param adminToken the admin token, or null
     * @param settings further settings
     * @param durableDatabase whether the embedded database syncs to disk
     */
    public ServerConfig(int port, String host, Path dataDirectory, String databaseUrl, String publicUrl, Path pluginsDirectory,
                        int executors, String adminToken, Map<String, String> settings, boolean durableDatabase) {
        this(port, host, dataDirectory, databaseUrl, publicUrl, pluginsDirectory, executors, adminToken, settings, durableDatabase,
                ClusterSettings.STANDALONE, true);
    }
}
