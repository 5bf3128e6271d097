package dev.kiln.core.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * What site hosts serve: the deployed files of a project's active deployment, of one deployment,
 * of a branch's deployments, and of a verified custom domain's project.
 */
public final class SiteStore {

    private static final String COLUMNS = "p.id AS project_id, p.slug, p.is_spa, p.detected_framework, d.id, d.branch, "
            + "d.storage, d.artifact_key, d.deployed_at, d.node";
    private static final String LIVE = "d.status = 'deployed' AND NOT d.pruned AND d.artifact_key IS NOT NULL";

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public SiteStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A deployment's files, ready to serve.
     *
     * @param projectId its project
     * @param slug its project's slug
     * @param isSpa the project's {@code is_spa}, or null for the default
     * @param detectedFramework the project's detected framework, or null
     * @param deploymentId the deployment
     * @param branch its branch
     * @param storage its storage target
     * @param artifactKey its files' key
     * @param deployedAt when it was deployed: the {@code Last-Modified} of its files
     * @param node the node that built it
     */
    public record ServedDeployment(long projectId, String slug, Boolean isSpa, String detectedFramework, long deploymentId,
                                   String branch, String storage, String artifactKey, OffsetDateTime deployedAt, String node) {
    }

    /**
     * The project's active deployment.
     *
     * @param slug the project's slug
     * @return it, when the project has a live one
     */
    public Future<Optional<ServedDeployment>> production(String slug) {
        return one("SELECT " + COLUMNS + " FROM projects p JOIN deployments d ON d.id = p.active_deployment_id "
                + "WHERE p.slug = $1 AND " + LIVE, Tuple.of(slug));
    }

    /**
     * One deployment of a project.
     *
     * @param slug the project's slug
     * @param deploymentId the deployment
     * @return it, when deployed and not pruned
     */
    public Future<Optional<ServedDeployment>> deployment(String slug, long deploymentId) {
        return one("SELECT " + COLUMNS + " FROM projects p JOIN deployments d ON d.project_id = p.id "
                + "WHERE p.slug = $1 AND d.id = $2 AND " + LIVE, Tuple.of(slug, deploymentId));
    }

    /**
     * The newest live deployment of each branch of a project other than its production branch,
     * newest first.
     *
     * @param slug the project's slug
     * @return one per branch
     */
    public Future<List<ServedDeployment>> previews(String slug) {
        // A branch whose newest live deployment was removed as a preview (branch deleted, pull request closed) is not served.
        return pool.preparedQuery("SELECT * FROM (SELECT DISTINCT ON (d.branch) " + COLUMNS + ", d.preview_removed FROM projects p "
                        + "JOIN deployments d ON d.project_id = p.id WHERE p.slug = $1 AND d.branch <> p.default_branch AND " + LIVE
                        + " ORDER BY d.branch, d.id DESC) newest WHERE NOT newest.preview_removed ORDER BY id DESC")
                .execute(Tuple.of(slug))
                .map(rows -> {
                    List<ServedDeployment> found = new ArrayList<>();
                    rows.forEach(row -> found.add(served(row)));
                    return found;
                });
    }

    /**
     * The active deployment of the project a verified custom domain belongs to.
     *
     * @param domain the domain, lower case
     * @return it, when the domain is verified and its project has a live deployment
     */
    public Future<Optional<ServedDeployment>> customDomain(String domain) {
        return one("SELECT " + COLUMNS + " FROM domains m JOIN projects p ON p.id = m.project_id "
                + "JOIN deployments d ON d.id = p.active_deployment_id "
                + "WHERE m.domain = $1 AND m.verified_at IS NOT NULL AND " + LIVE, Tuple.of(domain));
    }

    /**
     * Every verified custom domain.
     *
     * @return the domains, lower case
     */
    public Future<java.util.Set<String>> verifiedDomains() {
        return pool.query("SELECT domain FROM domains WHERE verified_at IS NOT NULL").execute().map(rows -> {
            java.util.Set<String> domains = new java.util.HashSet<>();
            rows.forEach(row -> domains.add(row.getString(0)));
            return java.util.Set.copyOf(domains);
        });
    }

    /**
     * Whether a host is a verified custom domain at all (live deployment or not).
     *
     * @param domain the domain, lower case
     * @return true when verified
     */
    public Future<Boolean> isVerifiedDomain(String domain) {
        return pool.preparedQuery("SELECT 1 FROM domains WHERE domain = $1 AND verified_at IS NOT NULL")
                .execute(Tuple.of(domain)).map(rows -> rows.size() > 0);
    }

    /**
     * Every live deployment a storage target holds that another node built: the deployments a
     * node copies when that storage is node-local.
     *
     * @param storage the storage target
     * @param nodeId this node, whose own deployments are left out
     * @return oldest first
     */
    public Future<List<ServedDeployment>> liveBuiltElsewhere(String storage, String nodeId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM projects p JOIN deployments d ON d.project_id = p.id "
                        + "WHERE d.storage = $1 AND d.node IS NOT NULL AND d.node <> $2 AND " + LIVE + " ORDER BY d.id")
                .execute(Tuple.of(storage, nodeId))
                .map(rows -> {
                    List<ServedDeployment> found = new ArrayList<>();
                    rows.forEach(row -> found.add(served(row)));
                    return found;
                });
    }

    /**
     * Which of some deployments still exist with their files: not deleted (with their project), not pruned.
     *
     * @param deploymentIds the deployments
     * @return the ones that do
     */
    public Future<java.util.Set<Long>> withFiles(List<Long> deploymentIds) {
        return pool.preparedQuery("SELECT id FROM deployments WHERE id = ANY($1) AND NOT pruned")
                .execute(Tuple.of(deploymentIds.toArray(new Long[0])))
                .map(rows -> {
                    java.util.Set<Long> found = new java.util.HashSet<>();
                    rows.forEach(row -> found.add(row.getLong(0)));
                    return found;
                });
    }

    private Future<Optional<ServedDeployment>> one(String sql, Tuple arguments) {
        return pool.preparedQuery(sql).execute(arguments)
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(served(rows.iterator().next())));
    }

    private static ServedDeployment served(Row row) {
        return new ServedDeployment(row.getLong("project_id"), row.getString("slug"), row.getBoolean("is_spa"),
                row.getString("detected_framework"), row.getLong("id"), row.getString("branch"), row.getString("storage"),
                row.getString("artifact_key"), row.getOffsetDateTime("deployed_at"), row.getString("node"));
    }
}
