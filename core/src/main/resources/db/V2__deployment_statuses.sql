-- GitHub-compatible deployment statuses: written by the pipeline and by API clients.
CREATE TABLE deployment_statuses (
    id              BIGSERIAL PRIMARY KEY,
    deployment_id   BIGINT      NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    state           TEXT        NOT NULL,
    description     TEXT        NOT NULL DEFAULT '',
    environment     TEXT        NOT NULL,
    target_url      TEXT        NOT NULL DEFAULT '',
    log_url         TEXT        NOT NULL DEFAULT '',
    environment_url TEXT        NOT NULL DEFAULT '',
    creator         TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX deployment_statuses_by_deployment ON deployment_statuses (deployment_id, id DESC);
