-- Plugins installed through the API, so every node of the cluster (and every node that joins
-- later) installs the same ones. Bundled plugins come with the distribution and are not here.
CREATE TABLE plugin_files (
    id         TEXT        PRIMARY KEY,
    version    TEXT        NOT NULL,
    content    BYTEA       NOT NULL,
    enabled    BOOLEAN     NOT NULL DEFAULT TRUE,
    removed    BOOLEAN     NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
