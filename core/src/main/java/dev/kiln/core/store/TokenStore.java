package dev.kiln.core.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * API tokens, stored as SHA-256 hashes: the plain token exists only in the answer that creates it.
 */
public final class TokenStore {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ADMIN_NAME = "admin";

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public TokenStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A token as stored.
     *
     * @param id the id
     * @param name its name
     * @param admin whether it may manage tokens and plugins
     * @param projectIds the projects it may use, or null for all
     * @param createdAt when created
     */
    public record Token(long id, String name, boolean admin, List<Long> projectIds, OffsetDateTime createdAt) {

        /**
         * Whether this token may use a project.
         *
         * @param projectId the project
         * @return true when allowed
         */
        public boolean canAccess(long projectId) {
            return admin || projectIds == null || projectIds.contains(projectId);
        }
    }

    /**
     * A token just created, with its plain value.
     *
     * @param token the stored token
     * @param plain the value to show once
     */
    public record Created(Token token, String plain) {
    }

    /**
     * Creating a token named projects that do not exist.
     */
    public static final class UnknownProjects extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final List<Long> ids;

        UnknownProjects(List<Long> ids) {
            super("no project with id " + ids, null, false, false);
            this.ids = List.copyOf(ids);
        }

        /**
         * The ids that name no project.
         *
         * @return the ids
         */
        public List<Long> ids() {
            return ids;
        }
    }

    /**
     * Creates a token.
     *
     * @param name its name
     * @param admin whether it is an admin token
     * @param projectIds the projects it may use, or null for all
     * @return the token with its plain value; fails with {@link UnknownProjects} when a project id does not exist
     */
    public Future<Created> create(String name, boolean admin, List<Long> projectIds) {
        String plain = newPlainToken();
        Long[] ids = projectIds == null ? null : projectIds.toArray(Long[]::new);
        Future<Void> check = ids == null || ids.length == 0 ? Future.succeededFuture()
                : pool.preparedQuery("SELECT array_agg(x) FROM unnest($1::bigint[]) x WHERE x NOT IN (SELECT id FROM projects)")
                        .execute(Tuple.of((Object) ids))
                        .compose(rows -> {
                            Long[] missing = rows.iterator().next().getArrayOfLongs(0);
                            return missing == null || missing.length == 0 ? Future.succeededFuture()
                                    : Future.failedFuture(new UnknownProjects(List.of(missing)));
                        });
        return check.compose(ok -> pool.preparedQuery("INSERT INTO tokens (name, token_hash, admin, project_ids) VALUES ($1, $2, $3, $4) "
                        + "RETURNING id, name, admin, project_ids, created_at")
                .execute(Tuple.of(name, hash(plain), admin, ids))
                .map(rows -> new Created(token(rows.iterator().next()), plain)));
    }

    /**
     * Makes sure an admin token exists: the given one when set (replacing the stored admin
     * token), or a new one when none exists yet.
     *
     * @param configured the plain admin token from the environment, or null
     * @return the plain token when one was generated now, else empty
     */
    public Future<Optional<String>> ensureAdmin(String configured) {
        if (configured != null) {
            return pool.withTransaction(connection -> connection
                    .preparedQuery("DELETE FROM tokens WHERE admin AND name = $1").execute(Tuple.of(ADMIN_NAME))
                    .compose(done -> connection.preparedQuery("INSERT INTO tokens (name, token_hash, admin) VALUES ($1, $2, TRUE) "
                            + "ON CONFLICT (token_hash) DO NOTHING").execute(Tuple.of(ADMIN_NAME, hash(configured)))))
                    .map(done -> Optional.empty());
        }
        String plain = newPlainToken();
        // Only the first node to start on an empty database generates one.
        return pool.preparedQuery("INSERT INTO tokens (name, token_hash, admin) SELECT $1, $2, TRUE "
                        + "WHERE NOT EXISTS (SELECT 1 FROM tokens WHERE admin) RETURNING id")
                .execute(Tuple.of(ADMIN_NAME, hash(plain)))
                .map(rows -> rows.size() > 0 ? Optional.of(plain) : Optional.empty());
    }

    /**
     * Replaces every admin token named {@code admin} with a new one, for an operator who lost it.
     *
     * @return the new plain token
     */
    public Future<String> resetAdmin() {
        String plain = newPlainToken();
        return pool.withTransaction(connection -> connection
                        .preparedQuery("DELETE FROM tokens WHERE admin AND name = $1").execute(Tuple.of(ADMIN_NAME))
                        .compose(done -> connection.preparedQuery("INSERT INTO tokens (name, token_hash, admin) VALUES ($1, $2, TRUE)")
                                .execute(Tuple.of(ADMIN_NAME, hash(plain)))))
                .map(done -> plain);
    }

    /**
     * Finds the token with a plain value.
     *
     * @param plain the value from a request
     * @return the token, when it exists
     */
    public Future<Optional<Token>> authenticate(String plain) {
        return pool.preparedQuery("SELECT id, name, admin, project_ids, created_at FROM tokens WHERE token_hash = $1")
                .execute(Tuple.of(hash(plain)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(token(rows.iterator().next())));
    }

    /**
     * Lists tokens, newest first.
     *
     * @param page from 1
     * @param perPage page size
     * @return the page
     */
    public Future<Page<Token>> list(int page, int perPage) {
        return pool.preparedQuery("SELECT id, name, admin, project_ids, created_at, count(*) OVER () AS total FROM tokens "
                        + "ORDER BY id DESC LIMIT $1 OFFSET $2")
                .execute(Tuple.of(perPage, (long) (page - 1) * perPage))
                .compose(rows -> {
                    List<Token> items = new ArrayList<>();
                    rows.forEach(row -> items.add(token(row)));
                    return pool.query("SELECT count(*) FROM tokens").execute()
                            .map(count -> new Page<>(items, page, perPage, count.iterator().next().getLong(0)));
                });
    }

    /**
     * Revokes a token.
     *
     * @param id the token
     * @return true when it existed
     */
    public Future<Boolean> delete(long id) {
        return pool.preparedQuery("DELETE FROM tokens WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }

    private static Token token(Row row) {
        Long[] ids = row.getArrayOfLongs("project_ids");
        return new Token(row.getLong("id"), row.getString("name"), row.getBoolean("admin"),
                ids == null ? null : List.of(ids), row.getOffsetDateTime("created_at"));
    }

    private static String newPlainToken() {
        byte[] bytes = new byte[30];
        RANDOM.nextBytes(bytes);
        return "kiln_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String plain) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
