package dev.kiln.plugin.npm;

import org.pf4j.Plugin;

/**
 * The npm builder plugin: its only extension is {@link NpmBuilder}.
 */
public final class NpmPlugin extends Plugin {
}
