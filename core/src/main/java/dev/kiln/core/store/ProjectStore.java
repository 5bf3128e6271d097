package dev.kiln.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongConsumer;

import dev.kiln.core.KilnException;
import dev.kiln.core.git.RepoUrlRules;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Projects in PostgreSQL.
 */
public final class ProjectStore {

    private static final int MAX_SLUG_ATTEMPTS = 20;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProjectStore.class);

    private final Pool pool;
    private final CredentialVault vault;

    /**
     * A store over a pool whose repository credentials live only as long as the process (tests).
     *
     * @param pool the pool
     */
    public ProjectStore(Pool pool) {
        this(pool, CredentialVault.inMemory());
    }

    /**
     * A store over a pool; repository credentials are sealed with the vault, apart from the URL.
     *
     * @param pool the pool
     * @param vault seals and opens repository credentials
     */
    public ProjectStore(Pool pool, CredentialVault vault) {
        this.pool = pool;
        this.vault = vault;
    }

    /**
     * The projects' environment variables one by one, the same data as each project's {@code env}.
     *
     * @return the store
     */
    public EnvVarStore envVars() {
        return new EnvVarStore(pool);
    }

    /**
     * Creates a project, deriving a unique slug from its name.
     *
     * @param settings the validated settings
     * @return the project; fails with a conflict when the name is taken
     */
    public Future<Project> create(ProjectSettings settings) {
        return create(settings, TriggerSettings.DEFAULT);
    }

    /**
     * Creates a project with polling and preview settings, deriving a unique slug from its name.
     *
     * @param settings the validated settings
     * @param triggers polling and previews
     * @return the project; fails with a conflict when the name is taken
     */
    public Future<Project> create(ProjectSettings settings, TriggerSettings triggers) {
        return insert(settings, triggers, slugOf(settings.name()), 1);
    }

    private Future<Project> insert(ProjectSettings settings, TriggerSettings triggers, String baseSlug, int attempt) {
        String slug = attempt == 1 ? baseSlug : baseSlug + "-" + attempt;
        return pool.preparedQuery("INSERT INTO projects (name, repo_url, default_branch, builder, install_command, "
                        + "build_command, output_directory, root_directory, builder_options, env, storage, build_timeout_seconds, slug, "
                        + "repo_credentials, poll_interval_seconds, preview_branches, is_spa, node_version) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, CAST($16::text AS jsonb), $17, $18) RETURNING "
                        + Rows.PROJECT_COLUMNS)
                .execute(values(settings).addString(slug).addString(sealedCredentials(settings))
                        .addInteger(triggers.pollIntervalSeconds())
                        .addString(io.vertx.core.json.Json.encode(Rows.previewBranchesJson(triggers.previewBranches())))
                        .addBoolean(settings.isSpa()).addString(settings.nodeVersion()))
                .map(rows -> project(rows.iterator().next()))
                .recover(error -> {
                    if (Rows.isUniqueViolation(error, "name")) {
                        return Future.failedFuture(KilnException.conflict("a project named '" + settings.name() + "' already exists"));
                    }
                    if (Rows.isUniqueViolation(error, "slug") && attempt < MAX_SLUG_ATTEMPTS) {
                        return insert(settings, triggers, baseSlug, attempt + 1);
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
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(project(rows.iterator().next())));
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
                        items.add(project(row));
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
        return find(id).compose(found -> found.isEmpty() ? Future.failedFuture(KilnException.notFound("project " + id))
                : update(id, settings, found.get().triggers()));
    }

    public Future<Project> update(long id, ProjectSettings settings, TriggerSettings triggers) {
        return pool.preparedQuery("UPDATE projects SET name = $1, repo_url = $2, default_branch = $3, builder = $4, "
                        + "install_command = $5, build_command = $6, output_directory = $7, root_directory = $8, "
                        + "builder_options = $9, env = $10, storage = $11, build_timeout_seconds = $12, updated_at = now(), "
                        + "poll_interval_seconds = $14, preview_branches = CAST($15::text AS jsonb), repo_credentials = $16, is_spa = $17, node_version = $18 "
                        + "WHERE id = $13 RETURNING " + Rows.PROJECT_COLUMNS)
                .execute(values(settings).addLong(id).addInteger(triggers.pollIntervalSeconds())
                        .addString(io.vertx.core.json.Json.encode(Rows.previewBranchesJson(triggers.previewBranches())))
                        .addString(sealedCredentials(settings)).addBoolean(settings.isSpa()).addString(settings.nodeVersion()))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(KilnException.notFound("project " + id))
                        : Future.succeededFuture(project(rows.iterator().next())))
                .recover(error -> Rows.isUniqueViolation(error, "name")
                        ? Future.failedFuture(KilnException.conflict("a project named '" + settings.name() + "' already exists"))
                        : Future.failedFuture(error));
    }

    /**
     * Replaces the secret webhook deliveries must be signed with.
     *
     * @param id the project
     * @param secret the new secret
     * @return done; fails with not found when the project is gone
     */
    public Future<Void> setWebhookSecret(long id, String secret) {
        return pool.preparedQuery("UPDATE projects SET webhook_secret = $2, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(id, secret))
                .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(KilnException.notFound("project " + id))
                        : Future.<Void>succeededFuture());
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
     * Deletes a project if a rule allows it, given how many of its deployments are in progress.
     *
     * @param id the project
     * @param inProgressRule gets that number under the project's lock; it throws to refuse
     * @return the artifact keys (with their storage) its deployments had; fails with not found, or
     *     as the rule refuses
     */
    public Future<List<StoredArtifactRef>> delete(long id, LongConsumer inProgressRule) {
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
                    try {
                        inProgressRule.accept(count.iterator().next().getLong(0));
                    } catch (RuntimeException refused) {
                        return Future.failedFuture(refused);
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

    /** A row as a project, its repository URL whole again: credentials are stored sealed and apart. */
    private Project project(Row row) {
        Project project = Rows.project(row);
        String sealed = row.getString("repo_credentials");
        if (sealed == null) {
            return project;
        }
        ProjectSettings stored = project.settings();
        String credentials;
        try {
            credentials = vault.unseal(sealed);
        } catch (IllegalStateException e) {
            // Readable without them; a fetch then asks for credentials, and the log says why.
            LOG.warn("Project {}: {}", project.id(), e.getMessage());
            return project;
        }
        String url = new RepoUrlRules.SplitUrl(stored.repoUrl(), credentials).joined();
        ProjectSettings settings = new ProjectSettings(stored.name(), url, stored.defaultBranch(), stored.builder(),
                stored.installCommand(), stored.buildCommand(), stored.outputDirectory(), stored.rootDirectory(),
                stored.builderOptions(), stored.env(), stored.storage(), stored.buildTimeoutSeconds(), stored.isSpa(),
                stored.nodeVersion());
        return new Project(project.id(), settings, project.slug(), project.detectedFramework(), project.activeDeploymentId(),
                project.createdAt(), project.updatedAt(), project.triggers(), project.webhookSecret(), project.pinnedBy());
    }

    private String sealedCredentials(ProjectSettings settings) {
        String credentials = RepoUrlRules.split(settings.repoUrl()).credentials();
        return credentials == null ? null : vault.seal(credentials);
    }

    /**
     * Seals the credentials of repository URLs stored whole by an older Kiln, at start.
     *
     * @return how many projects changed
     */
    public Future<Integer> sealStoredCredentials() {
        return pool.query("SELECT id, repo_url FROM projects WHERE repo_credentials IS NULL AND repo_url LIKE '%@%'").execute()
                .compose(rows -> {
                    Future<Integer> chain = Future.succeededFuture(0);
                    for (Row row : rows) {
                        RepoUrlRules.SplitUrl split = RepoUrlRules.split(row.getString("repo_url"));
                        if (split.credentials() == null) {
                            continue;
                        }
                        long id = row.getLong("id");
                        chain = chain.compose(count -> pool.preparedQuery("UPDATE projects SET repo_url = $1, repo_credentials = $2 WHERE id = $3")
                                .execute(Tuple.of(split.url(), vault.seal(split.credentials()), id)).map(done -> count + 1));
                    }
                    return chain;
                });
    }

    private static Tuple values(ProjectSettings settings) {
        return Tuple.tuple()
                .addString(settings.name())
                .addString(RepoUrlRules.split(settings.repoUrl()).url())
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
