-- Env vars API, and repository credentials stored apart.

-- A project's build environment variables, one row each, with whether the value is secret.
-- projects.env stays as the same variables seen as one object: the trigger below keeps this table in
-- step when a project's env object is written, and EnvVarStore rewrites the object in the same
-- transaction as every change it makes here. Variables that came through the env object are secret:
-- Kiln never showed their values.
CREATE TABLE project_env_vars (
    id          BIGSERIAL   PRIMARY KEY,
    project_id  BIGINT      NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    key         TEXT        NOT NULL,
    value       TEXT        NOT NULL,
    is_secret   BOOLEAN     NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (project_id, key)
);

CREATE FUNCTION sync_project_env_vars() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM project_env_vars WHERE project_id = NEW.id AND NOT (NEW.env ? key);
    INSERT INTO project_env_vars (project_id, key, value, is_secret)
        SELECT NEW.id, entry.key, entry.value, true FROM jsonb_each_text(NEW.env) AS entry
    ON CONFLICT (project_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
        WHERE project_env_vars.value IS DISTINCT FROM EXCLUDED.value;
    RETURN NULL;
END
$$;

CREATE TRIGGER projects_env_vars AFTER INSERT OR UPDATE OF env ON projects
    FOR EACH ROW EXECUTE FUNCTION sync_project_env_vars();

INSERT INTO project_env_vars (project_id, key, value, is_secret)
    SELECT projects.id, entry.key, entry.value, true FROM projects, jsonb_each_text(projects.env) AS entry;

-- The credentials of a repository URL (user:token), sealed with the key in the data directory; repo_url
-- itself is stored without them.
ALTER TABLE projects ADD COLUMN repo_credentials TEXT;
