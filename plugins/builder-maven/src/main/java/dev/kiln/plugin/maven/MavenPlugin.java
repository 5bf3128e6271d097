package dev.kiln.plugin.maven;

import org.pf4j.Plugin;

/**
 * The Maven builder plugin: its only extension is {@link MavenBuilder}.
 */
public final class MavenPlugin extends Plugin {
}
