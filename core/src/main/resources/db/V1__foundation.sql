-- Kiln's foundation schema: tokens, projects, deployments, their transitions and logs, and the
-- durable work queue the pipeline claims from.

CREATE TABLE tokens (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT        NOT NULL,
    token_hash   TEXT        NOT NULL UNIQUE,
    admin        BOOLEAN     NOT NULL DEFAULT FALSE,
    project_ids  BIGINT[],
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    id                    BIGSERIAL PRIMARY KEY,
    name                  TEXT        NOT NULL UNIQUE,
    slug                  TEXT        NOT NULL UNIQUE,
    repo_url              TEXT        NOT NULL,
    default_branch        TEXT        NOT NULL,
    builder               TEXT,
    detected_framework    TEXT,
    install_command       TEXT,
    build_command         TEXT,
    output_directory      TEXT,
    root_directory        TEXT,
    builder_options       JSONB       NOT NULL DEFAULT '{}',
    env                   JSONB       NOT NULL DEFAULT '{}',
    storage               TEXT        NOT NULL,
    build_timeout_seconds INTEGER     NOT NULL,
    active_deployment_id  BIGINT,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE deployments (
    id                 BIGSERIAL PRIMARY KEY,
    project_id         BIGINT      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    commit_sha         TEXT        NOT NULL,
    commit_message     TEXT,
    commit_author      TEXT,
    branch             TEXT        NOT NULL,
    environment        TEXT        NOT NULL,
    status             TEXT        NOT NULL,
    builder            TEXT,
    node               TEXT,
    attempt            INTEGER     NOT NULL DEFAULT 0,
    error_message      TEXT,
    storage            TEXT        NOT NULL,
    artifact_key       TEXT,
    pruned             BOOLEAN     NOT NULL DEFAULT FALSE,
    build_time_ms      BIGINT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at         TIMESTAMPTZ,
    deployed_at        TIMESTAMPTZ,
    finished_at        TIMESTAMPTZ
);
CREATE INDEX deployments_by_project ON deployments (project_id, id DESC);
CREATE INDEX deployments_in_progress ON deployments (project_id)
    WHERE status IN ('queued', 'cloning', 'building', 'uploading', 'deploying');

ALTER TABLE projects ADD CONSTRAINT projects_active_deployment
    FOREIGN KEY (active_deployment_id) REFERENCES deployments (id) ON DELETE SET NULL;

-- Every status a deployment passed through, with when, which attempt and which node.
CREATE TABLE deployment_transitions (
    id            BIGSERIAL PRIMARY KEY,
    deployment_id BIGINT      NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    status        TEXT        NOT NULL,
    attempt       INTEGER     NOT NULL,
    node          TEXT,
    reason        TEXT,
    at            TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX deployment_transitions_by_deployment ON deployment_transitions (deployment_id, id);

CREATE TABLE deployment_logs (
    deployment_id BIGINT  NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    line_no       INTEGER NOT NULL,
    line          TEXT    NOT NULL,
    PRIMARY KEY (deployment_id, line_no)
);

-- The work queue. A row exists while a deployment still needs work; a node claims it with
-- FOR UPDATE SKIP LOCKED and holds a lease it renews. lease_token fences late writers.
CREATE SEQUENCE lease_tokens;
CREATE TABLE jobs (
    deployment_id    BIGINT      PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
    builder          TEXT,
    lease_owner      TEXT,
    lease_token      BIGINT,
    lease_expires_at TIMESTAMPTZ,
    attempts         INTEGER     NOT NULL DEFAULT 0,
    wait_reason      TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX jobs_claimable ON jobs (lease_expires_at NULLS FIRST, deployment_id);
