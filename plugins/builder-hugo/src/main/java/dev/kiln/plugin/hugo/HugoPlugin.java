package dev.kiln.plugin.hugo;

import org.pf4j.Plugin;

/**
 * The Hugo builder plugin: its only extension is {@link HugoBuilder}.
 */
public final class HugoPlugin extends Plugin {
}
