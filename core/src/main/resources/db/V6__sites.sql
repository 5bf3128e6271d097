-- Sites: is_spa per project, custom domains, and a
-- notification on every change that moves what a site host serves, so that every node drops
-- its in-memory answer the moment such a change commits (NOTIFY is delivered on commit).

ALTER TABLE projects ADD COLUMN is_spa BOOLEAN;

CREATE TABLE domains (
    id                 BIGSERIAL   PRIMARY KEY,
    project_id         BIGINT      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    domain             TEXT        NOT NULL UNIQUE,
    verification_token TEXT        NOT NULL,
    verified_at        TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX domains_by_project ON domains (project_id, id);

CREATE FUNCTION kiln_sites_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('kiln_sites', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER projects_sites_changed AFTER UPDATE OF active_deployment_id, slug, is_spa, default_branch OR DELETE
    ON projects FOR EACH STATEMENT EXECUTE FUNCTION kiln_sites_changed();
CREATE TRIGGER deployments_sites_changed AFTER UPDATE ON deployments FOR EACH ROW
    WHEN ((OLD.status IS DISTINCT FROM NEW.status AND 'deployed' IN (OLD.status, NEW.status))
          OR OLD.pruned IS DISTINCT FROM NEW.pruned)
    EXECUTE FUNCTION kiln_sites_changed();
CREATE TRIGGER domains_sites_changed AFTER INSERT OR UPDATE OR DELETE
    ON domains FOR EACH STATEMENT EXECUTE FUNCTION kiln_sites_changed();
