package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The plugins installed through the API, with their files, shared by every node.
 */
public final class PluginFileStore {

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
     * @param content its file
     * @param enabled whether it is enabled
     * @param removed whether it was removed
     */
    public record PluginFile(String id, String version, byte[] content, boolean enabled, boolean removed) {
    }

    /**
     * Records an installed plugin version, unless it is recorded already.
     *
     * @param id the plugin
     * @param version its version
     * @param content its file
     * @return true when this changed the record
     */
    public Future<Boolean> installed(String id, String version, byte[] content) {
        return pool.preparedQuery("INSERT INTO plugin_files (id, version, content) VALUES ($1, $2, $3) "
                        + "ON CONFLICT (id) DO UPDATE SET version = $2, content = $3, enabled = TRUE, removed = FALSE, updated_at = now() "
                        + "WHERE plugin_files.version <> $2 OR plugin_files.removed OR NOT plugin_files.enabled RETURNING id")
                .execute(Tuple.of(id, version, Buffer.buffer(content)))
                .map(rows -> rows.size() > 0);
    }

    /**
     * Records a plugin enabled or disabled.
     *
     * @param id the plugin
     * @param enabled its state
     * @return true when this changed the record
     */
    public Future<Boolean> enabled(String id, boolean enabled) {
        return pool.preparedQuery("UPDATE plugin_files SET enabled = $2, updated_at = now() WHERE id = $1 AND enabled <> $2 "
                        + "AND NOT removed RETURNING id")
                .execute(Tuple.of(id, enabled))
                .map(rows -> rows.size() > 0);
    }

    /**
     * Records a plugin removed.
     *
     * @param id the plugin
     * @return true when this changed the record
     */
    public Future<Boolean> removed(String id) {
        return pool.preparedQuery("UPDATE plugin_files SET removed = TRUE, updated_at = now() WHERE id = $1 AND NOT removed RETURNING id")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() > 0);
    }

    /**
     * Every recorded plugin.
     *
     * @return the plugins with their files
     */
    public Future<List<PluginFile>> all() {
        return pool.query("SELECT id, version, content, enabled, removed FROM plugin_files ORDER BY id").execute().map(rows -> {
            List<PluginFile> files = new ArrayList<>();
            for (Row row : rows) {
                files.add(new PluginFile(row.getString("id"), row.getString("version"), row.getBuffer("content").getBytes(),
                        row.getBoolean("enabled"), row.getBoolean("removed")));
            }
            return files;
        });
    }
}
