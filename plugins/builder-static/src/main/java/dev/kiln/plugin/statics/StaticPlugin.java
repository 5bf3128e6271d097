package dev.kiln.plugin.statics;

import org.pf4j.Plugin;

/**
 * The static builder plugin: its only extension is {@link StaticBuilder}.
 */
public final class StaticPlugin extends Plugin {
}
