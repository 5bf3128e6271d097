package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.kiln.core.KilnException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Projects in PostgreSQL.
 */
public final class ProjectStore {

    private static final int MAX_SLUG_ATTEMPTS = 20;

    private final Pool pool;

    /**
     * A store over a pool.
     *
     * @param pool the pool
     */
    public ProjectStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Creates a project, deriving a unique slug from its name.
     *
     * @param settings the validated settings
     * @return the project; fails with a conflict when the name is taken
     */
    public Future<Project> create(ProjectSettings settings) {
        return insert(settings, slugOf(settings.name()), 1);
    }

    private Future<Project> insert(ProjectSettings settings, String baseSlug, int attempt) {
        String slug = attempt == 1 ? baseSlug : baseSlug + "-" + attempt;
        return pool.preparedQuery("INSERT INTO projects (name, repo_url, default_branch, builder, install_command, "
                        + "build_command, output_directory, root_directory, builder_options, env, storage, build_timeout_seconds, slug, is_spa) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING " + Rows.PROJECT_COLUMNS)
                .execute(values(settings).addString(slug).addBoolean(settings.isSpa()))
                .map(rows -> Rows.project(rows.iterator().next()))
                .recover(error -> {
                    if (Rows.isUniqueViolation(error, "name")) {
                        return Future.failedFuture(KilnException.conflict("a project named '" + settings.name() + "' already exists"));
                    }
                    if (Rows.isUniqueViolation(error, "slug") && attempt < MAX_SLUG_ATTEMPTS) {
                        return insert(settings, baseSlug, attempt + 1);
                    }
                    return Future.failedFuture(error);
                });
    }

    /**
     * Finds a project.
     *
     * @param id the id
     * @return the project, if it exists
     */
    public Future<Optional<Project>> find(long id) {
        return pool.preparedQuery("SELECT " + Rows.PROJECT_COLUMNS + " FROM projects WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Rows.project(rows.iterator().next())));
    }

    /**
     * Finds a project by its slug.
     *
     * @param slug the slug
     * @return the project, if it exists
     */
    public Future<Optional<Project>> findBySlug(String slug) {
        return pool.preparedQuery("SELECT " + Rows.PROJECT_COLUMNS + " FROM projects WHERE slug = $1")
                .execute(Tuple.of(slug))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Rows.project(rows.iterator().next())));
    }

    /**
     * Lists projects, newest first.
     *
     * @param page from 1
     * @param perPage page size
     * @param visibleIds the ids the caller may see, or null for all
     * @return the page
     */
    public Future<Page<Project>> list(int page, int perPage, Long[] visibleIds) {
        Tuple tuple = Tuple.of(visibleIds, perPage, (long) (page - 1) * perPage);
        return pool.preparedQuery("SELECT " + Rows.PROJECT_COLUMNS + ", count(*) OVER () AS total FROM projects "
                        + "WHERE ($1::bigint[] IS NULL OR id = ANY($1)) ORDER BY id DESC LIMIT $2 OFFSET $3")
                .execute(tuple)
                .compose(rows -> {
                    List<Project> items = new ArrayList<>();
                    long total = -1;
                    for (Row row : rows) {
                        items.add(Rows.project(row));
                        total = row.getLong("total");
                    }
                    if (total >= 0) {
                        return Future.succeededFuture(new Page<>(items, page, perPage, total));
                    }
                    // Past the last page: the window function saw no rows, so count separately.
                    return pool.preparedQuery("SELECT count(*) FROM projects WHERE ($1::bigint[] IS NULL OR id = ANY($1))")
                            .execute(Tuple.of((Object) visibleIds))
                            .map(count -> new Page<>(items, page, perPage, count.iterator().next().getLong(0)));
                });
    }

    /**
     * Replaces a project's settings.
     *
     * @param id the project
     * @param settings the new settings
     * @return the updated project; fails with a conflict when the new name is taken
     */
    public Future<Project> update(long id, ProjectSettings settings) {
        return pool.preparedQuery("UPDATE projects SET name = $1, repo_url = $2, default_branch = $3, builder = $4, "
                        + "install_command = $5, build_command = $6, output_directory = $7, root_directory = $8, "
                        + "builder_options = $9, env = $10, storage = $11, build_timeout_seconds = $12, is_spa = $14, "
                        + "updated_at = now() WHERE id = $13 RETURNING " + Rows.PROJECT_COLUMNS)
                .execute(values(settings).addLong(id).addBoolean(settings.isSpa()))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(KilnException.notFound("project " + id))
                        : Future.succeededFuture(Rows.project(rows.iterator().next())))
                .recover(error -> Rows.isUniqueViolation(error, "name")
                        ? Future.failedFuture(KilnException.conflict("a project named '" + settings.name() + "' already exists"))
                        : Future.failedFuture(error));
    }

    /**
     * Records the framework detection found.
     *
     * @param id the project
     * @param framework the framework
     * @return done
     */
    public Future<Void> setDetectedFramework(long id, String framework) {
        return pool.preparedQuery("UPDATE projects SET detected_framework = $1 WHERE id = $2 AND detected_framework IS DISTINCT FROM $1")
                .execute(Tuple.of(framework, id))
                .mapEmpty();
    }

    /**
     * Deletes a project unless one of its deployments is in progress.
     *
     * @param id the project
     * @return the artifact keys (with their storage) its deployments had; fails with a conflict
     *     while a deployment is in progress
     */
    public Future<List<StoredArtifactRef>> delete(long id) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("SELECT id FROM projects WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
                .compose(found -> {
                    if (found.size() == 0) {
                        return Future.failedFuture(KilnException.notFound("project " + id));
                    }
                    return connection.preparedQuery("SELECT count(*) FROM deployments WHERE project_id = $1 AND status = ANY($2)")
                            .execute(Tuple.of(id, (Object) DeploymentStatus.IN_PROGRESS.toArray(String[]::new)));
                })
                .compose(count -> {
                    if (count.iterator().next().getLong(0) > 0) {
                        return Future.failedFuture(KilnException.conflict(
                                "project " + id + " has a deployment in progress; cancel it or wait for it to finish"));
                    }
                    return connection.preparedQuery("SELECT storage, artifact_key FROM deployments "
                            + "WHERE project_id = $1 AND artifact_key IS NOT NULL AND NOT pruned").execute(Tuple.of(id));
                })
                .compose(artifacts -> {
                    List<StoredArtifactRef> refs = new ArrayList<>();
                    for (Row row : artifacts) {
                        refs.add(new StoredArtifactRef(row.getString("storage"), row.getString("artifact_key")));
                    }
                    return connection.preparedQuery("DELETE FROM projects WHERE id = $1").execute(Tuple.of(id)).map(deleted -> refs);
                }));
    }

    private static Tuple values(ProjectSettings settings) {
        return Tuple.tuple()
                .addString(settings.name())
                .addString(settings.repoUrl())
                .addString(settings.defaultBranch())
                .addString(settings.builder())
                .addString(settings.installCommand())
                .addString(settings.buildCommand())
                .addString(settings.outputDirectory())
                .addString(settings.rootDirectory())
                .addValue(Rows.json(settings.builderOptions()))
                .addValue(Rows.json(settings.env()))
                .addString(settings.storage())
                .addInteger(settings.buildTimeoutSeconds());
    }

    /**
     * The slug for a name: lower case letters, digits and single dashes, at most 48 characters.
     *
     * @param name a project name
     * @return the slug, {@code project} when nothing usable remains
     */
    public static String slugOf(String name) {
        String slug = name.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (slug.length() > 48) {
            slug = slug.substring(0, 48).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "project" : slug;
    }
}
