package dev.kiln.plugin.local;

import org.pf4j.Plugin;

/**
 * The local storage plugin: its only extension is {@link LocalStorageFactory}.
 */
public final class LocalStoragePlugin extends Plugin {
}
