package dev.kiln.plugin.local;

import java.nio.file.Path;

import org.pf4j.Extension;

import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;

/**
 * Storage target {@code local}: files under {@code storage.local.root}, by default
 * {@code <data dir>/artifacts}. In a cluster every node must see the same directory (a shared
 * mount) for any node to serve any deployment.
 */
@Extension
public final class LocalStorageFactory implements StorageTargetFactory {

    @Override
    public String id() {
        return "local";
    }

    @Override
    public String description() {
        return "Files on this node's file system (storage.local.root, default <data dir>/artifacts)";
    }

    @Override
    public StorageTarget create(StorageContext context) {
        Path root = context.setting("root").map(Path::of).orElse(context.dataDirectory().resolve("artifacts"));
        return new LocalStorageTarget(root.toAbsolutePath().normalize());
    }
}
