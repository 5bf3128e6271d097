package dev.kiln.core.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.Eventually;
import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Signed deliveries from GitHub, Gitea and GitLab against real repositories: pushes, previews, requests. */
class WebhooksTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    static final Hooks hooks = new Hooks(kiln);

    /** A repository of its own and a project on it, for one test. */
    private record Site(GitRepo repo, long projectId, String secret) {
    }

    private static Site site(String name, JsonObject extra) throws Exception {
        GitRepo repo = kiln.repository("repo-" + name);
        repo.write("index.html", "<h1>" + name + "</h1>").commit("first");
        long projectId = kiln.createProject(name, repo.url(), extra).getLong("id");
        return new Site(repo, projectId, hooks.secret(projectId));
    }

    private static JsonObject deployment(long projectId, long deploymentId) throws Exception {
        return kiln.admin("GET", "/projects/" + projectId + "/deployments/" + deploymentId, null).data();
    }

    private static JsonObject project(long projectId) throws Exception {
        return kiln.admin("GET", "/projects/" + projectId, null).data();
    }

    private static JsonArray deployments(long projectId) throws Exception {
        return kiln.admin("GET", "/projects/" + projectId + "/deployments", null).json().getJsonArray("data");
    }

    private static long created(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.data().getLong("deployment_id");
    }

    @Test
    void aPushToTheProductionBranchDeploysExactlyThePushedCommit() throws Exception {
        Site site = site("push-main", null);
        String first = site.repo().write("index.html", "<h1>one</h1>").commit("one");
        // The branch has moved on since: the push still deploys the commit it names.
        site.repo().write("index.html", "<h1>two</h1>").commit("two");

        long id = created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("main", Hooks.ZERO, first, "one")));

        JsonObject queued = deployment(site.projectId(), id);
        assertThat(queued.getString("commit_sha")).isEqualTo(first);
        assertThat(queued.getString("commit_message")).isEqualTo("one");
        assertThat(queued.getString("trigger")).isEqualTo("webhook");
        assertThat(queued.getString("environment")).isEqualTo("production");
        assertThat(queued.getValue("branch_url")).isNull();
        JsonObject deployed = kiln.awaitStatus(site.projectId(), id, WAIT, "deployed", "failed");
        assertThat(deployed.getString("status")).isEqualTo("deployed");
        assertThat(project(site.projectId()).getLong("active_deployment_id")).isEqualTo(id);
        assertThat(project(site.projectId()).getString("webhook_url")).isEqualTo(kiln.baseUrl() + "/hooks/" + site.projectId());
    }

    @Test
    void aBranchPushMakesAPreviewAndLeavesProductionAloneUntilTheBranchIsDeleted() throws Exception {
        Site site = site("preview", null);
        long production = kiln.trigger(site.projectId()).getLong("id");
        kiln.awaitStatus(site.projectId(), production, WAIT, "deployed");
        String sha = site.repo().branch("feature/login").write("index.html", "<h1>login</h1>").commit("login page");

        long id = created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("feature/login", Hooks.ZERO, sha, "login page")));

        JsonObject preview = kiln.awaitStatus(site.projectId(), id, WAIT, "deployed", "failed");
        assertThat(preview.getString("status")).isEqualTo("deployed");
        assertThat(preview.getString("environment")).isEqualTo("preview");
        assertThat(preview.getString("branch")).isEqualTo("feature/login");
        assertThat(preview.getString("branch_url")).contains("feature-login");
        assertThat(preview.getBoolean("active")).isFalse();
        assertThat(project(site.projectId()).getLong("active_deployment_id")).isEqualTo(production);
        String branchUrl = preview.getString("branch_url");
        Response served = kiln.get(branchUrl);
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.body()).contains("login");

        Response deleted = hooks.github(site.projectId(), site.secret(), "push", Hooks.push("feature/login", sha, Hooks.ZERO, null));
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.data().getString("preview_removed")).isEqualTo("feature/login");
        assertThat(deployment(site.projectId(), id).getValue("branch_url")).isNull();
        assertThat(project(site.projectId()).getLong("active_deployment_id")).isEqualTo(production);
        // The branch's URL stops serving once every node has dropped its cached answer (a notification on commit).
        Eventually.await(WAIT, "the branch's URL to stop serving", () -> kiln.get(branchUrl).status() == 404);
        // The deployment's own URL still serves it.
        assertThat(kiln.get(deployment(site.projectId(), id).getString("deployment_url")).status()).isEqualTo(200);
        // Deleting the production branch never takes production down.
        Response main = hooks.github(site.projectId(), site.secret(), "delete",
                new JsonObject().put("ref", "main").put("ref_type", "branch").put("pusher_type", "user"));
        assertThat(main.data().getString("ignored")).contains("production branch");
    }

    @Test
    void aWrongOrMissingSignatureIsRefusedAndCreatesNothing() throws Exception {
        GitRepo repo = kiln.repository("repo-unsigned");
        String sha = repo.write("index.html", "x").commit("first");
        long projectId = kiln.createProject("unsigned", repo.url(), null).getLong("id");
        JsonObject push = Hooks.push("main", Hooks.ZERO, sha, "first");

        // No secret made yet: every delivery is refused, even one signed with some secret.
        Response noSecret = hooks.github(projectId, "guess", "push", push);
        assertThat(noSecret.status()).isEqualTo(401);
        assertThat(noSecret.errorCode()).isEqualTo("unauthorized");
        assertThat(noSecret.json().getJsonObject("error").getString("message")).contains("webhook-secret");

        String secret = hooks.secret(projectId);
        assertThat(hooks.github(projectId, secret + "x", "push", push).status()).isEqualTo(401);
        assertThat(hooks.github(projectId, null, "push", push).status()).isEqualTo(401);
        assertThat(hooks.gitea(projectId, "wrong", "push", push).status()).isEqualTo(401);
        assertThat(hooks.gitlab(projectId, "wrong", "Push Hook", Hooks.gitlabPush("main", Hooks.ZERO, sha, "first")).status()).isEqualTo(401);
        // A body changed after signing fails too.
        Response tampered = kiln.send("POST", "/hooks/" + projectId, java.util.Map.of("X-GitHub-Event", "push",
                "X-Hub-Signature-256", "sha256=" + java.util.HexFormat.of().formatHex(Delivery.hmac(secret,
                        push.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8)))), push.copy().put("after", "f".repeat(40)).encode());
        assertThat(tampered.status()).isEqualTo(401);
        assertThat(deployments(projectId)).isEmpty();

        assertThat(hooks.github(999_999, secret, "push", push).status()).isEqualTo(404);
        assertThat(kiln.send("POST", "/hooks/" + projectId, java.util.Map.of(), "{}").status()).isEqualTo(400);
        String notJson = "{not json";
        Response malformed = kiln.send("POST", "/hooks/" + projectId, java.util.Map.of("X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Token", secret), notJson);
        assertThat(malformed.status()).isEqualTo(400);
        Response missingAfter = hooks.github(projectId, secret, "push", new JsonObject().put("ref", "refs/heads/main"));
        assertThat(missingAfter.status()).isEqualTo(400);
        assertThat(deployments(projectId)).isEmpty();
    }

    @Test
    void aReplayedDeliveryCreatesNothing() throws Exception {
        Site site = site("replay", null);
        String sha = site.repo().write("index.html", "again").commit("again");
        String delivery = UUID.randomUUID().toString();
        JsonObject push = Hooks.push("main", Hooks.ZERO, sha, "again");

        created(hooks.github(site.projectId(), site.secret(), "push", delivery, push));
        Response replay = hooks.github(site.projectId(), site.secret(), "push", delivery, push);

        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.data().getString("ignored")).contains("handled before");
        // Another delivery naming the same commit (a pull request's update after the push) builds nothing more.
        Response same = hooks.github(site.projectId(), site.secret(), "pull_request", Hooks.pullRequest("synchronize", "main", sha, false));
        assertThat(same.data().getString("ignored")).contains("already");
        assertThat(deployments(site.projectId())).hasSize(1);
    }

    @Test
    void aSkipMarkerPingsAndOtherEventsAnswer200WithTheReason() throws Exception {
        Site site = site("skip", null);
        String sha = site.repo().write("README.md", "docs").commit("[skip ci] only docs");

        Response skipped = hooks.github(site.projectId(), site.secret(), "push", Hooks.push("main", Hooks.ZERO, sha, "[skip ci] only docs"));
        assertThat(skipped.status()).isEqualTo(200);
        assertThat(skipped.data().getString("ignored")).contains("skipped");
        String kilnSkip = site.repo().write("README.md", "more").commit("tidy [kiln skip]");
        // The marker counts even when the payload leaves the message out (the commit itself is read).
        Response quiet = hooks.github(site.projectId(), site.secret(), "push", Hooks.push("main", sha, kilnSkip, null));
        assertThat(quiet.data().getString("ignored")).contains("skipped");

        Response ping = hooks.github(site.projectId(), site.secret(), "ping", new JsonObject().put("zen", "Keep it logically awesome.")
                .put("hook_id", 42));
        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.data().getString("ignored")).contains("ping");
        Response issue = hooks.github(site.projectId(), site.secret(), "issues", new JsonObject().put("action", "opened"));
        assertThat(issue.data().getString("ignored")).contains("issues");
        Response tag = hooks.github(site.projectId(), site.secret(), "push",
                Hooks.push("main", Hooks.ZERO, sha, "tag").put("ref", "refs/tags/v1.0.0"));
        assertThat(tag.data().getString("ignored")).contains("not a branch");
        assertThat(deployments(site.projectId())).isEmpty();
    }

    @Test
    void pullRequestsOpenUpdateAndCloseTheirBranchPreviewAndForksAreIgnored() throws Exception {
        Site site = site("requests", null);
        String first = site.repo().branch("fix").write("index.html", "fix 1").commit("fix 1");

        long opened = created(hooks.github(site.projectId(), site.secret(), "pull_request", Hooks.pullRequest("opened", "fix", first, false)));
        assertThat(deployment(site.projectId(), opened).getString("environment")).isEqualTo("preview");
        kiln.awaitStatus(site.projectId(), opened, WAIT, "deployed");

        String second = site.repo().write("index.html", "fix 2").commit("fix 2");
        long updated = created(hooks.github(site.projectId(), site.secret(), "pull_request",
                Hooks.pullRequest("synchronize", "fix", second, false)));
        assertThat(deployment(site.projectId(), updated).getString("commit_sha")).isEqualTo(second);
        kiln.awaitStatus(site.projectId(), updated, WAIT, "deployed");
        assertThat(deployment(site.projectId(), updated).getString("branch_url")).isNotNull();

        Response closed = hooks.github(site.projectId(), site.secret(), "pull_request", Hooks.pullRequest("closed", "fix", second, false));
        assertThat(closed.data().getString("preview_removed")).isEqualTo("fix");
        assertThat(deployment(site.projectId(), updated).getValue("branch_url")).isNull();

        Response fork = hooks.github(site.projectId(), site.secret(), "pull_request", Hooks.pullRequest("opened", "fix", second, true));
        assertThat(fork.status()).isEqualTo(200);
        assertThat(fork.data().getString("ignored")).contains("fork");
        assertThat(deployments(site.projectId())).hasSize(2);
        assertThat(project(site.projectId()).getValue("active_deployment_id")).isNull();
    }

    @Test
    void giteaAndGitlabDeliveriesDeployToo() throws Exception {
        Site site = site("gitea-gitlab", null);
        String sha = site.repo().write("index.html", "gitea").commit("from gitea");
        long fromGitea = created(hooks.gitea(site.projectId(), site.secret(), "push", Hooks.push("main", Hooks.ZERO, sha, "from gitea")));
        assertThat(deployment(site.projectId(), fromGitea).getString("commit_sha")).isEqualTo(sha);

        String next = site.repo().write("index.html", "gitlab").commit("from gitlab");
        long fromGitlab = created(hooks.gitlab(site.projectId(), site.secret(), "Push Hook", Hooks.gitlabPush("main", sha, next, "from gitlab")));
        assertThat(deployment(site.projectId(), fromGitlab).getString("commit_sha")).isEqualTo(next);

        String mr = site.repo().branch("topic").write("index.html", "topic").commit("topic");
        long fromMergeRequest = created(hooks.gitlab(site.projectId(), site.secret(), "Merge Request Hook",
                Hooks.gitlabMergeRequest("open", "topic", mr, null, 15)));
        assertThat(deployment(site.projectId(), fromMergeRequest).getString("environment")).isEqualTo("preview");
        Response forked = hooks.gitlab(site.projectId(), site.secret(), "Merge Request Hook", Hooks.gitlabMergeRequest("open", "topic", mr, null, 16));
        assertThat(forked.data().getString("ignored")).contains("fork");
        Response retitled = hooks.gitlab(site.projectId(), site.secret(), "Merge Request Hook",
                Hooks.gitlabMergeRequest("update", "topic", mr, null, 15));
        assertThat(retitled.data().getString("ignored")).isNotNull();
        Response merged = hooks.gitlab(site.projectId(), site.secret(), "Merge Request Hook",
                Hooks.gitlabMergeRequest("merge", "topic", mr, null, 15));
        assertThat(merged.data().getString("preview_removed")).isEqualTo("topic");
    }

    @Test
    void previewBranchesDecideWhichBranchesGetPreviews() throws Exception {
        Site site = site("filtered", new JsonObject().put("preview_branches", new JsonArray().add("feature/*")));
        assertThat(project(site.projectId()).getJsonArray("preview_branches")).containsExactly("feature/*");
        String docs = site.repo().branch("docs").write("index.html", "docs").commit("docs");
        Response ignored = hooks.github(site.projectId(), site.secret(), "push", Hooks.push("docs", Hooks.ZERO, docs, "docs"));
        assertThat(ignored.data().getString("ignored")).contains("preview_branches");
        String feature = site.repo().branch("feature/a").write("index.html", "a").commit("a");
        created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("feature/a", Hooks.ZERO, feature, "a")));

        JsonObject none = kiln.admin("PATCH", "/projects/" + site.projectId(), new JsonObject().put("preview_branches", "none")).data();
        assertThat(none.getString("preview_branches")).isEqualTo("none");
        Response off = hooks.github(site.projectId(), site.secret(), "push", Hooks.push("feature/a", feature, feature, "a"));
        assertThat(off.data().getString("ignored")).contains("preview_branches");
        assertThat(kiln.admin("PATCH", "/projects/" + site.projectId(), new JsonObject().put("preview_branches", 3)).status()).isEqualTo(422);
        assertThat(kiln.admin("PATCH", "/projects/" + site.projectId(), new JsonObject().put("poll_interval_seconds", 4)).status()).isEqualTo(422);
    }

    @Test
    void twoPushesInQuickSuccessionLeaveTheOlderCancelledAsSuperseded() throws Exception {
        // Both executors busy: the pushes below stay queued.
        GitRepo slow = kiln.repository("repo-slow");
        slow.write("index.html", "slow").commit("slow");
        // Two projects: two deployments of one branch would supersede each other.
        long blocker1 = kiln.createProject("blocker 1", slow.url(), new JsonObject().put("build_command", "sleep 120")).getLong("id");
        long blocker2 = kiln.createProject("blocker 2", slow.url(), new JsonObject().put("build_command", "sleep 120")).getLong("id");
        long busy1 = kiln.trigger(blocker1).getLong("id");
        long busy2 = kiln.trigger(blocker2).getLong("id");
        kiln.awaitStatus(blocker1, busy1, WAIT, "building");
        kiln.awaitStatus(blocker2, busy2, WAIT, "building");
        try {
            Site site = site("superseded", null);
            String one = site.repo().write("index.html", "1").commit("1");
            String two = site.repo().write("index.html", "2").commit("2");
            long first = created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("main", Hooks.ZERO, one, "1")));
            long second = created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("main", one, two, "2")));

            JsonObject cancelled = deployment(site.projectId(), first);
            assertThat(cancelled.getString("status")).isEqualTo("cancelled");
            assertThat(cancelled.getString("error_message")).isEqualTo("superseded by deployment " + second);
            assertThat(deployment(site.projectId(), second).getString("status")).isEqualTo("queued");
        } finally {
            kiln.admin("POST", "/projects/" + blocker1 + "/deployments/" + busy1 + "/cancel", null);
            kiln.admin("POST", "/projects/" + blocker2 + "/deployments/" + busy2 + "/cancel", null);
        }
    }

    @Test
    void afterARollbackPushedCommitsDeployButProductionStaysPinnedUntilAPromote() throws Exception {
        Site site = site("pinned", null);
        String one = site.repo().write("index.html", "1").commit("1");
        long first = created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("main", Hooks.ZERO, one, "1")));
        kiln.awaitStatus(site.projectId(), first, WAIT, "deployed");
        String two = site.repo().write("index.html", "2").commit("2");
        long second = created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("main", one, two, "2")));
        kiln.awaitStatus(site.projectId(), second, WAIT, "deployed");

        assertThat(kiln.admin("POST", "/projects/" + site.projectId() + "/deployments/" + first + "/rollback", null).status()).isEqualTo(200);
        JsonObject pinned = project(site.projectId());
        assertThat(pinned.getBoolean("production_pinned")).isTrue();
        assertThat(pinned.getLong("production_pinned_by")).isEqualTo(first);

        String three = site.repo().write("index.html", "3").commit("3");
        long third = created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("main", two, three, "3")));
        JsonObject built = kiln.awaitStatus(site.projectId(), third, WAIT, "deployed");
        assertThat(built.getBoolean("active")).isFalse();
        assertThat(project(site.projectId()).getLong("active_deployment_id")).isEqualTo(first);

        String branch = site.repo().branch("side").write("index.html", "side").commit("side");
        long preview = created(hooks.github(site.projectId(), site.secret(), "push", Hooks.push("side", Hooks.ZERO, branch, "side")));
        kiln.awaitStatus(site.projectId(), preview, WAIT, "deployed");
        Response previewPromote = kiln.admin("POST", "/projects/" + site.projectId() + "/deployments/" + preview + "/promote", null);
        assertThat(previewPromote.status()).isEqualTo(422);

        Response promoted = kiln.admin("POST", "/projects/" + site.projectId() + "/deployments/" + third + "/promote", null);
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
        assertThat(promoted.data().getBoolean("active")).isTrue();
        JsonObject released = project(site.projectId());
        assertThat(released.getBoolean("production_pinned")).isFalse();
        assertThat(released.getLong("active_deployment_id")).isEqualTo(third);

        // Pinned again by a rollback, then let go by an explicit trigger through the API.
        kiln.admin("POST", "/projects/" + site.projectId() + "/deployments/" + second + "/rollback", null);
        assertThat(project(site.projectId()).getBoolean("production_pinned")).isTrue();
        JsonObject explicit = kiln.trigger(site.projectId());
        assertThat(explicit.getString("trigger")).isEqualTo("api");
        assertThat(project(site.projectId()).getBoolean("production_pinned")).isFalse();
        kiln.awaitStatus(site.projectId(), explicit.getLong("id"), WAIT, "deployed");
        assertThat(project(site.projectId()).getLong("active_deployment_id")).isEqualTo(explicit.getLong("id"));
    }
}
