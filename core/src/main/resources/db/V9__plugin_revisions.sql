-- Plugin changes are ordered cluster-wide: every change takes the next revision, and a node
-- applies a recorded change only when it is newer than what it last applied or recorded itself,
-- so a stale read can no longer bring back a plugin that was just disabled or deleted.
-- Plugins of the installation's directory get a row (without a file) when they are disabled or
-- removed, so that the change reaches every node and survives restarts.
CREATE SEQUENCE plugin_file_revisions;
ALTER TABLE plugin_files ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plugin_files ADD COLUMN bundled BOOLEAN NOT NULL DEFAULT FALSE;
