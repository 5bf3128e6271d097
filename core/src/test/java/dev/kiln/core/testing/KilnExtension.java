package dev.kiln.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.kiln.core.FileTrees;
import dev.kiln.core.plugins.PluginHost;
import dev.kiln.core.server.KilnServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one Kiln node for a test class and stops it after the class; the tests share the node and
 * make their own data on it (a repository and a project each):
 *
 * <pre>
 * &#64;RegisterExtension
 * static final KilnExtension kiln = new KilnExtension().settings(Map.of("artifacts.keep", "2"));
 *
 * &#64;Test
 * void deploys() throws Exception {
 *     GitRepo repo = kiln.repository("index.html", "hello");
 *     long projectId = kiln.createProject("Deploys", repo.url(), null).getLong("id");
 *     ...
 * }
 * </pre>
 *
 * Its data directory, plugins directory and repositories live in a temporary directory of its own,
 * removed after the class.
 */
public final class KilnExtension extends TestKiln implements BeforeAllCallback, AfterAllCallback {

    /** Runs against the started node, before the first test. */
    @FunctionalInterface
    public interface StartHook {
        /**
         * Prepares the node.
         *
         * @param kiln the started node
         * @throws Exception on failure
         */
        void accept(KilnExtension kiln) throws Exception;
    }

    private final AtomicInteger repositories = new AtomicInteger();
    private final List<GitRepo> opened = new ArrayList<>();
    private Map<String, String> settings = Map.of();
    private Consumer<PluginHost> plugins = TestKiln::registerFakes;
    private StartHook onStart = kiln -> { };
    private KilnExtension sharedDatabase;
    private Path root;
    private TestKiln node;

    /**
     * Further settings for the node.
     *
     * @param settings the settings
     * @return this
     */
    public KilnExtension settings(Map<String, String> settings) {
        this.settings = Map.copyOf(settings);
        return this;
    }

    /**
     * The built-in extensions to register before start, instead of core's fake builder and storage.
     *
     * @param plugins registers them
     * @return this
     */
    public KilnExtension plugins(Consumer<PluginHost> plugins) {
        this.plugins = plugins;
        return this;
    }

    /**
     * Work to do on the started node before the first test.
     *
     * @param hook the work
     * @return this
     */
    public KilnExtension onStart(StartHook hook) {
        this.onStart = hook;
        return this;
    }

    /**
     * Makes this node a second node on another extension's database (register it after that one).
     *
     * @param first the node whose database this one shares
     * @return this
     */
    public KilnExtension sharingDatabaseWith(KilnExtension first) {
        this.sharedDatabase = first;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        root = Files.createTempDirectory("kiln-test-");
        String database = sharedDatabase == null ? TestDatabase.freshDatabase() : sharedDatabase.databaseUrl();
        node = TestKiln.start(root.resolve("data"), database, plugins, pluginsDirectory(), settings);
        onStart.accept(this);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            opened.forEach(GitRepo::close);
            FileTrees.delete(root);
        }
    }

    /**
     * A new, empty repository of this class, in a directory of its own.
     *
     * @param path the repository's path under that directory, for tests whose URL must end in a given way
     *             (for example {@code git/acme/site.git}, which GitHub's paths name acme/site)
     * @return the repository, closed after the class
     * @throws Exception on failure
     */
    public GitRepo repository(String path) throws Exception {
        GitRepo repo = GitRepo.create(root.resolve("repositories").resolve(Integer.toString(repositories.incrementAndGet())).resolve(path));
        synchronized (opened) {
            opened.add(repo);
        }
        return repo;
    }

    /**
     * A new repository with one file in one commit.
     *
     * @param file the file's path
     * @param content its content
     * @return the repository, closed after the class
     * @throws Exception on failure
     */
    public GitRepo repository(String file, String content) throws Exception {
        GitRepo repo = repository("repo");
        repo.write(file, content).commit("first");
        return repo;
    }

    /**
     * A directory of this class for a test's own files.
     *
     * @param name its name; unique within the class
     * @return the directory, created
     * @throws IOException on failure
     */
    public Path directory(String name) throws IOException {
        return Files.createDirectories(root.resolve("work").resolve(name));
    }

    /**
     * Where the node looks for plugin files.
     *
     * @return the plugins directory (created on demand by the tests that need it)
     */
    public Path pluginsDirectory() {
        return root.resolve("plugins");
    }

    @Override
    public KilnServer server() {
        return started().server();
    }

    @Override
    public String databaseUrl() {
        return started().databaseUrl();
    }

    @Override
    public Path dataDirectory() {
        return started().dataDirectory();
    }

    private TestKiln started() {
        if (node == null) {
            throw new IllegalStateException("the Kiln of this class is not started: register KilnExtension as a static field");
        }
        return node;
    }
}
