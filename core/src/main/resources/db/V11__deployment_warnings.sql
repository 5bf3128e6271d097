-- Problems that did not stop a deployment but that its user should see without reading the
-- whole log (for example an output without index.html, whose / answers 404).
ALTER TABLE deployments ADD COLUMN warnings TEXT[] NOT NULL DEFAULT '{}';
