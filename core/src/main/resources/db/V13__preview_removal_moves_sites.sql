-- A preview removed (its branch deleted, its pull request closed) stops being served at its
-- branch URL: that change, too, makes every node drop its in-memory answer for the site.
DROP TRIGGER deployments_sites_changed ON deployments;
CREATE TRIGGER deployments_sites_changed AFTER UPDATE ON deployments FOR EACH ROW
    WHEN ((OLD.status IS DISTINCT FROM NEW.status AND 'deployed' IN (OLD.status, NEW.status))
          OR OLD.pruned IS DISTINCT FROM NEW.pruned
          OR OLD.preview_removed IS DISTINCT FROM NEW.preview_removed)
    EXECUTE FUNCTION kiln_sites_changed();
