package dev.kiln.example;

import org.pf4j.Plugin;

/**
 * The plugin's entry point. It has nothing to set up: Kiln finds {@link ExampleBuilder} through
 * its {@code @Extension} annotation.
 */
public final class ExamplePlugin extends Plugin {
}
