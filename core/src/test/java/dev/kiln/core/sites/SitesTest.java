package dev.kiln.core.sites;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonObject;

/** Sites served by Host: production, deployment and branch origins, the static host's HTTP, and framework files. */
class SitesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    static final TinyDns dns = startDns();
    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension().settings(Map.of(TxtLookup.SERVER_SETTING, dns.address()));

    private static TinyDns startDns() {
        try {
            return new TinyDns();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    /** Polls until a condition holds: a change reaches the host cache when its notification arrives. */
    private static void eventually(Callable<Boolean> condition) throws Exception {
        Eventually.await(WAIT, "a change to reach the host cache", condition);
    }

    private static JsonObject deploy(long projectId, String branch) throws Exception {
        Response created = kiln.admin("POST", "/projects/" + projectId + "/deployments", new JsonObject().put("branch", branch));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonObject deployed = kiln.awaitStatus(projectId, created.data().getLong("id"), WAIT, "deployed", "failed");
        assertThat(deployed.getString("status")).as(deployed.encode()).isEqualTo("deployed");
        return deployed;
    }

    private static JsonObject project(String name, GitRepo repo, JsonObject extra) throws Exception {
        return kiln.createProject(name, repo.url(), extra);
    }

    @Test
    void anAppBuiltForTheRootWorksAtItsProductionAndDeploymentHosts() throws Exception {
        try (GitRepo repo = GitRepo.create(kiln.directory("root-app"))) {
            repo.write("index.html", "<script src=\"/assets/app.js\"></script>").write("assets/app.js", "console.log('app')").commit("app");
            JsonObject project = project("Root App", repo, null);
            int port = kiln.server().actualPort();
            assertThat(project.getString("production_url")).isEqualTo("http://root-app.localhost:" + port + "/");
            JsonObject deployed = deploy(project.getLong("id"), "main");
            long id = deployed.getLong("id");
            assertThat(deployed.getString("deployment_url")).isEqualTo("http://" + id + "--root-app.localhost:" + port + "/");
            assertThat(deployed.getString("environment")).isEqualTo("production");
            assertThat(deployed.getValue("branch_url")).isNull();

            for (String site : new String[] {project.getString("production_url"), deployed.getString("deployment_url")}) {
                Response page = kiln.get(site);
                assertThat(page.status()).isEqualTo(200);
                assertThat(page.body()).contains("/assets/app.js");
                Response script = kiln.get(site + "assets/app.js");
                assertThat(script.status()).isEqualTo(200);
                assertThat(script.body()).isEqualTo("console.log('app')");
                assertThat(script.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
            }
            assertThat(kiln.get(project.getString("production_url")).header("Cache-Control")).isEqualTo("public, max-age=0, must-revalidate");
            assertThat(kiln.get(deployed.getString("deployment_url")).header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
            // The old paths keep working.
            assertThat(kiln.send("GET", "/sites/root-app/assets/app.js", Map.of(), null).body()).isEqualTo("console.log('app')");
            assertThat(kiln.send("GET", "/sites/root-app/d/" + id + "/", Map.of(), null).status()).isEqualTo(200);
            // Hosts that are no site: the API answers.
            assertThat(kiln.site("GET", "http://localhost:" + port + "/api/v1/public/health", Map.of()).status()).isEqualTo(200);
            assertThat(kiln.site("GET", "http://nobody.localhost:" + port + "/", Map.of()).status()).isEqualTo(404);
            assertThat(kiln.site("GET", "http://999999--root-app.localhost:" + port + "/", Map.of()).status()).isEqualTo(404);
        }
    }

    @Test
    void aBranchDeploymentIsAPreviewThatLeavesProductionAlone() throws Exception {
        try (GitRepo repo = GitRepo.create(kiln.directory("previews"))) {
            repo.write("index.html", "production").commit("main");
            repo.branch("Feature/New_Look").write("index.html", "preview").commit("new look");
            repo.checkout("main");
            JsonObject project = project("Previews", repo, null);
            long projectId = project.getLong("id");
            JsonObject production = deploy(projectId, "main");
            JsonObject preview = deploy(projectId, "Feature/New_Look");

            int port = kiln.server().actualPort();
            assertThat(preview.getString("environment")).isEqualTo("preview");
            assertThat(preview.getBoolean("active")).isFalse();
            assertThat(preview.getString("branch_url")).isEqualTo("http://feature-new-look--previews.localhost:" + port + "/");
            JsonObject after = kiln.admin("GET", "/projects/" + projectId, null).data();
            assertThat(after.getLong("active_deployment_id")).isEqualTo(production.getLong("id"));
            assertThat(kiln.get(after.getString("production_url")).body()).isEqualTo("production");
            assertThat(kiln.get(preview.getString("branch_url")).body()).isEqualTo("preview");
            assertThat(kiln.get(preview.getString("deployment_url")).body()).isEqualTo("preview");
            assertThat(kiln.get(preview.getString("branch_url")).header("Cache-Control")).isEqualTo("public, max-age=0, must-revalidate");

            // A newer preview of the branch takes over its branch URL.
            repo.checkout("Feature/New_Look").write("index.html", "preview two").commit("two");
            repo.checkout("main");
            JsonObject newer = deploy(projectId, "Feature/New_Look");
            assertThat(kiln.get(preview.getString("branch_url")).body()).isEqualTo("preview two");
            assertThat(kiln.get(preview.getString("deployment_url")).body()).isEqualTo("preview");
            assertThat(kiln.get(after.getString("production_url")).body()).isEqualTo("production");

            Response rollback = kiln.admin("POST", "/projects/" + projectId + "/deployments/" + newer.getLong("id") + "/rollback", null);
            assertThat(rollback.status()).isEqualTo(422);
            assertThat(rollback.body()).contains("preview");
        }
    }

    @Test
    void singlePageAppsFallBackToIndexAndOtherSitesShowTheir404Page() throws Exception {
        try (GitRepo repo = GitRepo.create(kiln.directory("spa"))) {
            repo.write("index.html", "app shell").write("404.html", "custom not found").commit("spa");
            JsonObject spa = project("Spa", repo, new JsonObject().put("is_spa", true));
            assertThat(spa.getBoolean("is_spa")).isTrue();
            deploy(spa.getLong("id"), "main");
            Response route = kiln.get(spa.getString("production_url") + "users/42/settings");
            assertThat(route.status()).isEqualTo(200);
            assertThat(route.body()).isEqualTo("app shell");
            Response missingAsset = kiln.get(spa.getString("production_url") + "missing.js");
            assertThat(missingAsset.status()).isEqualTo(404);
            assertThat(missingAsset.body()).isEqualTo("custom not found");

            JsonObject plain = project("Not Spa", repo, null);
            assertThat(plain.getBoolean("is_spa")).isFalse();
            deploy(plain.getLong("id"), "main");
            Response notFound = kiln.get(plain.getString("production_url") + "users/42");
            assertThat(notFound.status()).isEqualTo(404);
            assertThat(notFound.body()).isEqualTo("custom not found");
        }
    }

    @Test
    void redirectsAndHeadersFollowNetlifysSyntax() throws Exception {
        try (GitRepo repo = GitRepo.create(kiln.directory("rules"))) {
            repo.write("index.html", "home").write("new.html", "new page").write("other.html", "other")
                    .write("forced.html", "shadowed by a forced rule").write("kept.html", "kept")
                    .write("blog/2024/hello.html", "a post").write("app/index.html", "app").write("assets/site.css", "body{}")
                    .write("_redirects", String.join("\n",
                            "# comments and blank lines are skipped",
                            "",
                            "/old /new.html 301",
                            "/temporary /other.html 302",
                            "/news/:year/:slug /blog/:year/:slug.html 200",
                            "/docs/* /manual/:splat",
                            "/app/* /app/index.html 200",
                            "/gone /other.html 404",
                            "/forced.html /other.html 200!",
                            "/kept.html /other.html 200",
                            "/elsewhere https://example.com/landing 302"))
                    .write("_headers", String.join("\n",
                            "/assets/*",
                            "  X-Frame-Options: DENY",
                            "  Cache-Control: public, max-age=60",
                            "/*",
                            "  X-Robots-Tag: noindex"))
                    .commit("rules");
            JsonObject project = project("Rules", repo, null);
            deploy(project.getLong("id"), "main");
            String site = project.getString("production_url");

            Response moved = kiln.get(site + "old");
            assertThat(moved.status()).isEqualTo(301);
            assertThat(moved.header("Location")).isEqualTo("/new.html");
            assertThat(kiln.get(site + "temporary").status()).isEqualTo(302);
            Response rewritten = kiln.get(site + "news/2024/hello");
            assertThat(rewritten.status()).isEqualTo(200);
            assertThat(rewritten.body()).isEqualTo("a post");
            Response splat = kiln.get(site + "docs/guide/start");
            assertThat(splat.status()).isEqualTo(301);
            assertThat(splat.header("Location")).isEqualTo("/manual/guide/start");
            assertThat(kiln.get(site + "app/some/route").body()).isEqualTo("app");
            Response gone = kiln.get(site + "gone");
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.body()).isEqualTo("other");
            assertThat(kiln.get(site + "forced.html").body()).isEqualTo("other");
            assertThat(kiln.get(site + "kept.html").body()).isEqualTo("kept");
            assertThat(kiln.get(site + "elsewhere").header("Location")).isEqualTo("https://example.com/landing");

            Response css = kiln.get(site + "assets/site.css");
            assertThat(css.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(css.header("Cache-Control")).isEqualTo("public, max-age=60");
            assertThat(css.header("X-Robots-Tag")).isEqualTo("noindex");
            assertThat(kiln.get(site).header("X-Frame-Options")).isNull();
            assertThat(kiln.get(site + "_redirects").status()).isEqualTo(404);
            assertThat(kiln.get(site + "_headers").status()).isEqualTo(404);
        }
    }

    @Test
    void theStaticHostSpeaksHttp() throws Exception {
        try (GitRepo repo = GitRepo.create(kiln.directory("http"))) {
            String text = "hello, ranges and validators ".repeat(40);
            repo.write("index.html", "<p>" + text + "</p>").write("page.txt", text).write("image.png", "not really a png")
                    .write("app.webmanifest", "{}").write("photo.avif", "x").write("module.wasm", "x").write("module.mjs", "x")
                    .write("big.css", "body{color:red}".repeat(10));
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write("precompressed".getBytes());
            }
            Files.write(repo.directory().resolve("big.css.gz"), gz.toByteArray());
            repo.commit("http");
            JsonObject project = project("Http", repo, null);
            JsonObject deployed = deploy(project.getLong("id"), "main");
            String site = project.getString("production_url");

            Response first = kiln.get(site + "page.txt");
            String etag = first.header("ETag");
            String lastModified = first.header("Last-Modified");
            assertThat(etag).startsWith("\"" + deployed.getLong("id") + "-");
            assertThat(lastModified).endsWith("GMT");
            assertThat(first.header("Accept-Ranges")).isEqualTo("bytes");
            assertThat(kiln.site("GET", site + "page.txt", Map.of("If-None-Match", etag)).status()).isEqualTo(304);
            assertThat(kiln.site("GET", site + "page.txt", Map.of("If-None-Match", "\"other\"")).status()).isEqualTo(200);
            assertThat(kiln.site("GET", site + "page.txt", Map.of("If-Modified-Since", lastModified)).status()).isEqualTo(304);
            assertThat(kiln.site("GET", site + "page.txt", Map.of("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")).status())
                    .isEqualTo(200);

            Response range = kiln.site("GET", site + "page.txt", Map.of("Range", "bytes=7-12"));
            assertThat(range.status()).isEqualTo(206);
            assertThat(range.body()).isEqualTo("ranges");
            assertThat(range.header("Content-Range")).isEqualTo("bytes 7-12/" + text.length());
            Response suffix = kiln.site("GET", site + "page.txt", Map.of("Range", "bytes=-10"));
            assertThat(suffix.body()).isEqualTo(text.substring(text.length() - 10));
            assertThat(kiln.site("GET", site + "page.txt", Map.of("Range", "bytes=99999-")).status()).isEqualTo(416);

            Response gzipped = kiln.site("GET", site + "index.html", Map.of("Accept-Encoding", "gzip"));
            assertThat(gzipped.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(gzipped.header("Vary")).isEqualTo("Accept-Encoding");
            Response image = kiln.site("GET", site + "image.png", Map.of("Accept-Encoding", "gzip"));
            assertThat(image.header("Content-Encoding")).isIn(null, "identity");
            assertThat(image.body()).isEqualTo("not really a png");
            Response precompressed = kiln.site("GET", site + "big.css", Map.of("Accept-Encoding", "gzip, br;q=0"));
            assertThat(precompressed.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(precompressed.header("Content-Length")).isEqualTo(Integer.toString(gz.size()));
            assertThat(kiln.get(site + "big.css").body()).isEqualTo("body{color:red}".repeat(10));

            assertThat(kiln.get(site + "app.webmanifest").header("Content-Type")).startsWith("application/manifest+json");
            assertThat(kiln.get(site + "photo.avif").header("Content-Type")).isEqualTo("image/avif");
            assertThat(kiln.get(site + "module.wasm").header("Content-Type")).isEqualTo("application/wasm");
            assertThat(kiln.get(site + "module.mjs").header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
            Response head = kiln.site("HEAD", site + "page.txt", Map.of());
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(text.length()));
            assertThat(kiln.site("POST", site + "page.txt", Map.of()).status()).isEqualTo(405);
        }
    }

    @Test
    void aCustomDomainIsServedOnceVerifiedAndNotBefore() throws Exception {
        try (GitRepo repo = GitRepo.create(kiln.directory("custom"))) {
            repo.write("index.html", "custom site").commit("custom");
            JsonObject project = project("Custom", repo, null);
            long projectId = project.getLong("id");
            deploy(projectId, "main");
            int port = kiln.server().actualPort();
            String site = "http://www.example.test:" + port + "/";

            assertThat(kiln.admin("POST", "/projects/" + projectId + "/domains", new JsonObject().put("domain", "not a host")).status())
                    .isEqualTo(422);
            assertThat(kiln.admin("POST", "/projects/" + projectId + "/domains", new JsonObject().put("domain", "x.localhost")).status())
                    .isEqualTo(422);
            Response added = kiln.admin("POST", "/projects/" + projectId + "/domains", new JsonObject().put("domain", "WWW.Example.test"));
            assertThat(added.status()).isEqualTo(201);
            JsonObject domain = added.data();
            assertThat(domain.getString("domain")).isEqualTo("www.example.test");
            assertThat(domain.getBoolean("is_verified")).isFalse();
            assertThat(domain.getValue("verified_at")).isNull();
            String token = domain.getString("verification_token");
            assertThat(token).isNotBlank();
            assertThat(kiln.admin("POST", "/projects/" + projectId + "/domains", new JsonObject().put("domain", "www.example.test")).status())
                    .isEqualTo(409);

            // Not verified: the host is no site; the API (and at / the dashboard) answers it.
            Response before = kiln.site("GET", site, Map.of());
            assertThat(before.body()).doesNotContain("custom site");
            assertThat(kiln.site("GET", "http://www.example.test:" + port + "/api/v1/public/projects", Map.of()).status()).isEqualTo(401);
            String verifyPath = "/projects/" + projectId + "/domains/" + domain.getLong("id") + "/verify";
            Response missing = kiln.admin("POST", verifyPath, null);
            assertThat(missing.status()).isEqualTo(422);
            assertThat(missing.body()).contains("no TXT record", "_kiln-verification.www.example.test");
            dns.putTxt("_kiln-verification.www.example.test", "something-else");
            assertThat(kiln.admin("POST", verifyPath, null).body()).contains("something-else");

            dns.putTxt("_kiln-verification.www.example.test", token);
            Response verified = kiln.admin("POST", verifyPath, null);
            assertThat(verified.status()).isEqualTo(200);
            assertThat(verified.data().getBoolean("is_verified")).isTrue();
            eventually(() -> "custom site".equals(kiln.site("GET", site, Map.of()).body()));
            assertThat(kiln.send("GET", "/tls-check?domain=www.example.test", Map.of(), null).status()).isEqualTo(200);
            assertThat(kiln.send("GET", "/tls-check?domain=unknown.example.test", Map.of(), null).status()).isEqualTo(404);
            assertThat(kiln.send("GET", "/tls-check?domain=custom.localhost", Map.of(), null).status()).isEqualTo(200);
            assertThat(kiln.send("GET", "/tls-check?domain=nothing-here.localhost", Map.of(), null).status()).isEqualTo(404);
            assertThat(kiln.admin("GET", "/projects/" + projectId + "/domains", null).json().getJsonArray("data")).hasSize(1);

            // Admins may vouch for a domain themselves.
            Response vouched = kiln.admin("POST", "/projects/" + projectId + "/domains",
                    new JsonObject().put("domain", "shop.example.test").put("verified", true));
            assertThat(vouched.data().getBoolean("is_verified")).isTrue();
            eventually(() -> "custom site".equals(kiln.site("GET", "http://shop.example.test:" + port + "/", Map.of()).body()));

            assertThat(kiln.admin("DELETE", "/projects/" + projectId + "/domains/" + domain.getLong("id"), null).status()).isEqualTo(204);
            eventually(() -> !"custom site".equals(kiln.site("GET", site, Map.of()).body()));
        }
    }
}
