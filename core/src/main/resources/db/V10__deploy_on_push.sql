-- Deploy on push: webhook secrets and remembered deliveries, polling with a lease per project,
-- previews per branch, a production pinned by a rollback, and how each deployment was started.

ALTER TABLE projects ADD COLUMN webhook_secret TEXT;
-- NULL: no polling. At least 5 seconds (checked at the API edge too).
ALTER TABLE projects ADD COLUMN poll_interval_seconds INTEGER CHECK (poll_interval_seconds >= 5);
-- 'all', 'none', or glob patterns, one per element: ["feature/*", "docs"].
ALTER TABLE projects ADD COLUMN preview_branches JSONB NOT NULL DEFAULT '"all"';
-- The deployment a rollback (or a promote of an older one) pinned production to; NULL when not pinned.
ALTER TABLE projects ADD COLUMN production_pinned_by BIGINT REFERENCES deployments (id) ON DELETE SET NULL;

ALTER TABLE deployments ADD COLUMN trigger TEXT NOT NULL DEFAULT 'api';
-- Set when the branch's preview was removed (branch deleted, pull request closed): no branch URL.
ALTER TABLE deployments ADD COLUMN preview_removed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX deployments_by_branch ON deployments (project_id, branch, id DESC);

-- Delivery ids already handled, so a replayed delivery creates nothing.
CREATE TABLE webhook_deliveries (
    project_id  BIGINT      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    delivery_id TEXT        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, delivery_id)
);

-- One row per polled project. A node polls a project only while it holds the lease; the next poll
-- is due at next_poll_at; failures back off; heads are the branch tips seen last time.
CREATE TABLE project_polls (
    project_id       BIGINT      PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    next_poll_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_owner      TEXT,
    lease_expires_at TIMESTAMPTZ,
    failures         INTEGER     NOT NULL DEFAULT 0,
    last_error       TEXT,
    last_polled_at   TIMESTAMPTZ,
    last_polled_by   TEXT,
    polls            BIGINT      NOT NULL DEFAULT 0,
    heads            JSONB
);
