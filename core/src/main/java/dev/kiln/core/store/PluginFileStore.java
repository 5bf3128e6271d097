package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * The plugins as the cluster should have them, shared by every node: those installed through the
 * API with their files, and the state of those that came with the installation. Every change
 * takes the next revision, which orders changes cluster-wide.
 */
public final class PluginFileStore {

    private static final String NEXT = "nextval('plugin_file_revisions')";

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public PluginFileStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A plugin as the cluster should have it.
     *
     * @param id the plugin id
     * @param version its version
     * @param content its file; empty for a plugin of the installation's directory
     * @param enabled whether it is enabled
     * @param removed whether it was removed
     * @param bundled whether it came with the installation, so every node has its file already
     * @param revision the revision of its last change
     */
    public record PluginFile(String id, String version, byte[] content, boolean enabled, boolean removed, boolean bundled,
                             long revision) {
    }

    /**
     * Records an installed plugin version, enabled.
     *
     * @param id the plugin
     * @param version its version
     * @param content its file
     * @return the change's revision
     */
    public Future<Long> installed(String id, String version, byte[] content) {
        return pool.preparedQuery("INSERT INTO plugin_files (id, version, content, revision) VALUES ($1, $2, $3, " + NEXT + ") "
                        + "ON CONFLICT (id) DO UPDATE SET version = $2, content = $3, enabled = TRUE, removed = FALSE, bundled = FALSE, "
                        + "revision = " + NEXT + ", updated_at = now() RETURNING revision")
                .execute(Tuple.of(id, version, Buffer.buffer(content)))
                .map(PluginFileStore::revision);
    }

    /**
     * Records a plugin enabled or disabled; a plugin of the installation's directory gets a row.
     *
     * @param id the plugin
     * @param version its version, for a new row
     * @param enabled its state
     * @return the change's revision
     */
    public Future<Long> enabled(String id, String version, boolean enabled) {
        return pool.preparedQuery("INSERT INTO plugin_files (id, version, content, enabled, bundled, revision) "
                        + "VALUES ($1, $2, ''::bytea, $3, TRUE, " + NEXT + ") "
                        + "ON CONFLICT (id) DO UPDATE SET enabled = $3, removed = FALSE, revision = " + NEXT + ", updated_at = now() "
                        + "RETURNING revision")
                .execute(Tuple.of(id, version, enabled))
                .map(PluginFileStore::revision);
    }

    /**
     * Records a plugin removed; a plugin of the installation's directory gets a row.
     *
     * @param id the plugin
     * @param version the version that was installed, for a new row
     * @return the change's revision
     */
    public Future<Long> removed(String id, String version) {
        return pool.preparedQuery("INSERT INTO plugin_files (id, version, content, removed, bundled, revision) "
                        + "VALUES ($1, $2, ''::bytea, TRUE, TRUE, " + NEXT + ") "
                        + "ON CONFLICT (id) DO UPDATE SET removed = TRUE, content = ''::bytea, revision = " + NEXT + ", updated_at = now() "
                        + "RETURNING revision")
                .execute(Tuple.of(id, version))
                .map(PluginFileStore::revision);
    }

    /**
     * Every recorded plugin.
     *
     * @return the plugins with their files, by revision
     */
    public Future<List<PluginFile>> all() {
        return pool.query("SELECT id, version, content, enabled, removed, bundled, revision FROM plugin_files ORDER BY revision")
                .execute().map(rows -> {
                    List<PluginFile> files = new ArrayList<>();
                    for (Row row : rows) {
                        files.add(new PluginFile(row.getString("id"), row.getString("version"), row.getBuffer("content").getBytes(),
                                row.getBoolean("enabled"), row.getBoolean("removed"), row.getBoolean("bundled"),
                                row.getLong("revision")));
                    }
                    return files;
                });
    }

    private static Long revision(RowSet<Row> rows) {
        return rows.iterator().next().getLong("revision");
    }
}
