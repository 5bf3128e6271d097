-- Notifications of deployment events: per-project subscriptions, and an outbox of deliveries that
-- every node drains with FOR UPDATE SKIP LOCKED under a lease, so each event is sent once across
-- the cluster and a restart loses nothing.

CREATE TABLE notification_subscriptions (
    id          BIGSERIAL PRIMARY KEY,
    project_id  BIGINT      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    url         TEXT        NOT NULL,
    events      TEXT[]      NOT NULL,
    format      TEXT        NOT NULL DEFAULT 'json',
    secret      TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notification_subscriptions_by_project ON notification_subscriptions (project_id, id);

CREATE TABLE notification_deliveries (
    id               BIGSERIAL PRIMARY KEY,
    subscription_id  BIGINT      NOT NULL REFERENCES notification_subscriptions (id) ON DELETE CASCADE,
    event            TEXT        NOT NULL,
    deployment_id    BIGINT      NOT NULL,
    -- the deployment and project as they were when the event happened
    snapshot         JSONB       NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'pending',
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_owner      TEXT,
    lease_expires_at TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at      TIMESTAMPTZ
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_deliveries_by_subscription ON notification_deliveries (subscription_id, id DESC);
-- A deployment starts, succeeds, fails or is cancelled once; it may be promoted many times.
CREATE UNIQUE INDEX notification_deliveries_once ON notification_deliveries (subscription_id, deployment_id, event)
    WHERE event <> 'deployment.promoted';

CREATE TABLE notification_attempts (
    id              BIGSERIAL PRIMARY KEY,
    delivery_id     BIGINT      NOT NULL REFERENCES notification_deliveries (id) ON DELETE CASCADE,
    attempted_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    response_status INTEGER,
    error           TEXT,
    duration_ms     BIGINT      NOT NULL
);
CREATE INDEX notification_attempts_by_delivery ON notification_attempts (delivery_id, id);

-- The outbox is written in the same transaction as the change it reports, whoever makes it
-- (the pipeline on any node, a rollback through the API), so no event is lost between the two.
CREATE FUNCTION kiln_notify_deployment_event(event TEXT, deployment deployments) RETURNS VOID AS $$
    INSERT INTO notification_deliveries (subscription_id, event, deployment_id, snapshot)
    SELECT s.id, event, deployment.id, jsonb_build_object(
               'deployment', jsonb_build_object(
                   'id', deployment.id, 'project_id', deployment.project_id, 'status', deployment.status,
                   'branch', deployment.branch, 'environment', deployment.environment,
                   'commit_sha', deployment.commit_sha, 'commit_message', deployment.commit_message,
                   'commit_author', deployment.commit_author, 'error_message', deployment.error_message,
                   'builder', deployment.builder, 'node', deployment.node,
                   'build_time_ms', deployment.build_time_ms,
                   'created_at', deployment.created_at, 'deployed_at', deployment.deployed_at),
               'project', jsonb_build_object('id', p.id, 'name', p.name, 'slug', p.slug),
               'occurred_at', clock_timestamp())
    FROM notification_subscriptions s JOIN projects p ON p.id = s.project_id
    WHERE s.project_id = deployment.project_id AND event = ANY (s.events)
    ON CONFLICT DO NOTHING;
$$ LANGUAGE sql;

CREATE FUNCTION kiln_deployment_status_changed() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'cloning' AND OLD.status = 'queued' THEN
        PERFORM kiln_notify_deployment_event('deployment.started', NEW);
    ELSIF NEW.status = 'deployed' THEN
        PERFORM kiln_notify_deployment_event('deployment.succeeded', NEW);
    ELSIF NEW.status = 'failed' THEN
        PERFORM kiln_notify_deployment_event('deployment.failed', NEW);
    ELSIF NEW.status = 'cancelled' THEN
        PERFORM kiln_notify_deployment_event('deployment.cancelled', NEW);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER deployments_notify AFTER UPDATE OF status ON deployments
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION kiln_deployment_status_changed();

CREATE FUNCTION kiln_active_deployment_changed() RETURNS trigger AS $$
DECLARE
    promoted deployments;
BEGIN
    SELECT * INTO promoted FROM deployments WHERE id = NEW.active_deployment_id;
    IF FOUND THEN
        PERFORM kiln_notify_deployment_event('deployment.promoted', promoted);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER projects_notify_promoted AFTER UPDATE OF active_deployment_id ON projects
    FOR EACH ROW WHEN (NEW.active_deployment_id IS NOT NULL AND NEW.active_deployment_id IS DISTINCT FROM OLD.active_deployment_id)
    EXECUTE FUNCTION kiln_active_deployment_changed();
