-- The build farm's nodes, as each reports itself; a node is live while its heartbeat is fresh.
CREATE TABLE nodes (
    id            TEXT        PRIMARY KEY,
    address       TEXT,
    http_url      TEXT,
    state         TEXT        NOT NULL,
    executors     INTEGER     NOT NULL,
    busy          INTEGER     NOT NULL DEFAULT 0,
    labels        TEXT[]      NOT NULL DEFAULT '{}',
    builders      TEXT[]      NOT NULL DEFAULT '{}',
    tools         JSONB       NOT NULL DEFAULT '{}',
    joined_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    left_at       TIMESTAMPTZ,
    left_reason   TEXT
);

ALTER TABLE jobs ADD COLUMN released_reason TEXT;
-- Why a queued deployment is not running yet (for example, no node has its builder's tools).
ALTER TABLE deployments ADD COLUMN wait_reason TEXT;
