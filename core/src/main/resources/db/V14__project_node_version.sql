-- The Node.js version or range a project's builds ask for (for example '20', '>=18 <21'); null
-- leaves the choice to the builder's option, NODE_VERSION in the env, .nvmrc or engines.node.
ALTER TABLE projects ADD COLUMN node_version TEXT;
