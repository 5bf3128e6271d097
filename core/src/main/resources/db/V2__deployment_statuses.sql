-- GitHub-compatible deployment statuses: written by the pipeline and by API clients. A status
-- never changes once written; updated_at exists because GitHub's shape has it.
CREATE TABLE deployment_statuses (
    id              BIGSERIAL PRIMARY KEY,
    deployment_id   BIGINT      NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    state           TEXT        NOT NULL,
    description     TEXT        NOT NULL DEFAULT '',
    environment     TEXT        NOT NULL,
    target_url      TEXT        NOT NULL DEFAULT '',
    log_url         TEXT        NOT NULL DEFAULT '',
    environment_url TEXT        NOT NULL DEFAULT '',
    -- The token's name at the time, or 'kiln' for the pipeline; creator_id is the token's id
    -- (no foreign key: a revoked token's statuses stay), null for the pipeline.
    creator         TEXT        NOT NULL,
    creator_id      BIGINT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX deployment_statuses_by_deployment ON deployment_statuses (deployment_id, id DESC);
