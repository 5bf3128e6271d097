package dev.kiln.core.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.kiln.core.KilnException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** Custom domains of projects. */
public final class DomainStore {

    private static final String COLUMNS = "id, project_id, domain, verification_token, verified_at, created_at";

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public DomainStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A custom domain as stored.
     *
     * @param id the id
     * @param projectId its project
     * @param domain the host name, lower case
     * @param verificationToken the TXT value that proves control of it
     * @param verifiedAt when it was verified, or null
     * @param createdAt when added
     */
    public record Domain(long id, long projectId, String domain, String verificationToken, OffsetDateTime verifiedAt,
                         OffsetDateTime createdAt) {
    }

    /**
     * Adds a domain.
     *
     * @param projectId the project
     * @param domain the host name
     * @param token its verification token
     * @param verified whether it counts as verified at once
     * @return the domain; fails with a conflict when any project uses it
     */
    public Future<Domain> add(long projectId, String domain, String token, boolean verified) {
        return pool.preparedQuery("INSERT INTO domains (project_id, domain, verification_token, verified_at) "
                        + "VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END) RETURNING " + COLUMNS)
                .execute(Tuple.of(projectId, domain, token, verified))
                .map(rows -> domain(rows.iterator().next()))
                .recover(error -> Rows.isUniqueViolation(error, "domain")
                        ? Future.failedFuture(KilnException.conflict("the domain " + domain + " is already used by a project"))
                        : Future.failedFuture(error));
    }

    /**
     * A project's domains, oldest first.
     *
     * @param projectId the project
     * @return the domains
     */
    public Future<List<Domain>> list(long projectId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM domains WHERE project_id = $1 ORDER BY id")
                .execute(Tuple.of(projectId))
                .map(rows -> {
                    List<Domain> domains = new ArrayList<>();
                    rows.forEach(row -> domains.add(domain(row)));
                    return domains;
                });
    }

    /**
     * One domain of a project.
     *
     * @param projectId the project
     * @param domainId the domain
     * @return it, when it belongs to the project
     */
    public Future<Optional<Domain>> find(long projectId, long domainId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM domains WHERE project_id = $1 AND id = $2")
                .execute(Tuple.of(projectId, domainId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(domain(rows.iterator().next())));
    }

    /**
     * Marks a domain verified (once; later calls keep the first time).
     *
     * @param domainId the domain
     * @return the domain
     */
    public Future<Domain> markVerified(long domainId) {
        return pool.preparedQuery("UPDATE domains SET verified_at = COALESCE(verified_at, now()) WHERE id = $1 RETURNING " + COLUMNS)
                .execute(Tuple.of(domainId))
                .compose(rows -> rows.size() == 0 ? Future.failedFuture(KilnException.notFound("domain " + domainId))
                        : Future.succeededFuture(domain(rows.iterator().next())));
    }

    /**
     * Removes a domain of a project.
     *
     * @param projectId the project
     * @param domainId the domain
     * @return whether it existed
     */
    public Future<Boolean> delete(long projectId, long domainId) {
        return pool.preparedQuery("DELETE FROM domains WHERE project_id = $1 AND id = $2")
                .execute(Tuple.of(projectId, domainId))
                .map(rows -> rows.rowCount() > 0);
    }

    private static Domain domain(Row row) {
        return new Domain(row.getLong("id"), row.getLong("project_id"), row.getString("domain"), row.getString("verification_token"),
                row.getOffsetDateTime("verified_at"), row.getOffsetDateTime("created_at"));
    }
}
