package dev.kiln.plugin.s3;

import org.pf4j.Plugin;

/**
 * The S3 storage plugin: its only extension is {@link S3StorageTargetFactory}.
 */
public final class S3Plugin extends Plugin {
}
