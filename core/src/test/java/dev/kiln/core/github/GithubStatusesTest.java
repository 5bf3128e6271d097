package dev.kiln.core.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.kiln.core.github.StatusPaths.PathSet;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The GitHub-compatible statuses endpoints, on Kiln's paths and on GitHub's own under
 * {@code /api/v3}: parameters, defaults, limits, shapes and errors as GitHub documents them.
 */
class GithubStatusesTest extends StatusesTestBase {

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void listsThePipelineStatusesNewestFirstInGithubsShape(PathSet set) throws Exception {
        long projectId = project(repo);
        long deploymentId = deployed(projectId);
        StatusPaths paths = paths(set, projectId, deploymentId);

        Response response = paths.list(null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(response.header("Link")).isNull();
        JsonArray statuses = new JsonArray(response.body());
        assertThat(StatusPaths.states(statuses)).containsExactly("success", "in_progress", "queued");
        List<Long> ids = statuses.stream().map(status -> ((JsonObject) status).getLong("id")).toList();
        assertThat(ids).isSortedAccordingTo((a, b) -> Long.compare(b, a));

        String repositoryUrl = set == PathSet.KILN ? kiln.baseUrl() + "/api/v1/public/projects/" + projectId
                : kiln.baseUrl() + "/api/v3/repos/acme/site";
        for (Object item : statuses) {
            JsonObject status = (JsonObject) item;
            assertThat(status.fieldNames()).containsExactlyInAnyOrderElementsOf(STATUS_FIELDS);
            long id = status.getLong("id");
            assertThat(status.getString("url")).isEqualTo(paths.deploymentUrl() + "/statuses/" + id);
            assertThat(status.getString("deployment_url")).isEqualTo(paths.deploymentUrl());
            assertThat(status.getString("repository_url")).isEqualTo(repositoryUrl);
            assertThat(new String(Base64.getDecoder().decode(status.getString("node_id")), StandardCharsets.UTF_8))
                    .isEqualTo("016:DeploymentStatus" + id);
            assertThat(status.getString("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
            assertThat(status.getString("updated_at")).isEqualTo(status.getString("created_at"));
            assertThat(status.getString("environment")).isEqualTo("production");
            JsonObject creator = status.getJsonObject("creator");
            assertThat(creator.fieldNames()).containsAll(USER_FIELDS);
            assertThat(creator.getString("login")).isEqualTo("kiln[bot]");
            assertThat(creator.getString("type")).isEqualTo("Bot");
            assertThat(creator.getString("url")).isEqualTo(kiln.baseUrl() + "/api/v3/users/kiln%5Bbot%5D");
            assertThat(creator.getBoolean("site_admin")).isFalse();
        }
        // The status URL each one reports answers with the same status.
        JsonObject newest = statuses.getJsonObject(0);
        Response again = paths.sendRaw("GET", newest.getString("url").substring(kiln.baseUrl().length()),
                Map.of("Authorization", "token " + TestKiln.ADMIN), null);
        assertThat(again.json()).isEqualTo(newest);
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void createsAStatusWithGithubsDefaults(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        Response response = paths.create(new JsonObject().put("state", "pending"));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        JsonObject created = response.json();
        assertThat(created.fieldNames()).containsExactlyInAnyOrderElementsOf(STATUS_FIELDS);
        assertThat(response.header("Location")).isEqualTo(created.getString("url"));
        assertThat(created.getString("url")).isEqualTo(paths.deploymentUrl() + "/statuses/" + created.getLong("id"));
        assertThat(created.getString("state")).isEqualTo("pending");
        assertThat(created.getString("description")).isEmpty();
        assertThat(created.getString("target_url")).isEmpty();
        assertThat(created.getString("log_url")).isEmpty();
        assertThat(created.getString("environment_url")).isEmpty();
        assertThat(created.getString("environment")).isEqualTo("production");
        JsonObject creator = created.getJsonObject("creator");
        assertThat(creator.getString("login")).isEqualTo("admin");
        assertThat(creator.getString("type")).isEqualTo("User");
        assertThat(creator.getLong("id")).isPositive();

        Response got = paths.get(String.valueOf(created.getLong("id")));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json()).isEqualTo(created);
        assertThat(paths.listAll().getJsonObject(0)).isEqualTo(created);

        for (String state : List.of("error", "failure", "inactive", "in_progress", "queued", "pending", "success")) {
            assertThat(paths.created(new JsonObject().put("state", state)).getString("state")).isEqualTo(state);
        }
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void everyBodyFieldIsStoredAndLogUrlSetsTargetUrl(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        JsonObject full = paths.created(new JsonObject().put("state", "success").put("log_url", "https://ci.example/runs/1")
                .put("target_url", "https://ci.example/legacy").put("description", "Deployed by CI")
                .put("environment", "staging").put("environment_url", "https://staging.example/").put("auto_inactive", false));
        assertThat(full.getString("log_url")).isEqualTo("https://ci.example/runs/1");
        assertThat(full.getString("target_url")).isEqualTo("https://ci.example/runs/1");
        assertThat(full.getString("description")).isEqualTo("Deployed by CI");
        assertThat(full.getString("environment")).isEqualTo("staging");
        assertThat(full.getString("environment_url")).isEqualTo("https://staging.example/");

        JsonObject legacy = paths.created(new JsonObject().put("state", "in_progress").put("target_url", "https://ci.example/runs/2"));
        assertThat(legacy.getString("target_url")).isEqualTo("https://ci.example/runs/2");
        assertThat(legacy.getString("log_url")).isEqualTo("https://ci.example/runs/2");

        JsonObject nulls = paths.created(new JsonObject().put("state", "queued").putNull("description").putNull("environment")
                .putNull("log_url").putNull("auto_inactive").put("colour", "ignored, as GitHub ignores unknown fields"));
        assertThat(nulls.getString("description")).isEmpty();
        assertThat(nulls.getString("log_url")).isEmpty();
        assertThat(nulls.fieldNames()).doesNotContain("colour");
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void environmentComesFromThePreviousStatusElseTheDeployment(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        assertThat(paths.created(new JsonObject().put("state", "queued")).getString("environment")).isEqualTo("production");
        assertThat(paths.created(new JsonObject().put("state", "in_progress").put("environment", "qa")).getString("environment"))
                .isEqualTo("qa");
        assertThat(paths.created(new JsonObject().put("state", "queued")).getString("environment")).isEqualTo("qa");
        assertThat(paths.created(new JsonObject().put("state", "queued").put("environment", "")).getString("environment"))
                .isEqualTo("qa");

        // A deployment of another branch is in "preview".
        long projectId = project(repo);
        JsonObject preview = kiln.admin("POST", "/projects/" + projectId + "/deployments", new JsonObject().put("branch", "feature")).data();
        kiln.awaitStatus(projectId, preview.getLong("id"), WAIT, "deployed");
        StatusPaths previewPaths = paths(set, projectId, preview.getLong("id"));
        assertThat(previewPaths.listAll().stream().map(status -> ((JsonObject) status).getString("environment")))
                .containsOnly("preview");
        assertThat(previewPaths.created(new JsonObject().put("state", "pending")).getString("environment")).isEqualTo("preview");
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void descriptionIsAtMost140Characters(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        String longest = "🚀".repeat(140);
        assertThat(paths.created(new JsonObject().put("state", "success").put("description", longest).put("auto_inactive", false))
                .getString("description")).isEqualTo(longest);
        int before = paths.listAll().size();

        Response tooLong = paths.create(new JsonObject().put("state", "success").put("description", "x".repeat(141)));
        assertValidationFailed(tooLong, fieldError("description", "custom")
                .put("message", "description is too long (maximum is 140 characters)"));
        assertThat(paths.listAll()).hasSize(before);
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void invalidFieldsAre422WithGithubsErrors(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        int before = paths.listAll().size();
        assertValidationFailed(paths.create(new JsonObject()), fieldError("state", "missing_field"));
        assertValidationFailed(paths.create(new JsonObject().putNull("state")), fieldError("state", "missing_field"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "deployed")), fieldError("state", "invalid"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "SUCCESS")), fieldError("state", "invalid"));
        assertValidationFailed(paths.create(new JsonObject().put("state", 5)), fieldError("state", "invalid"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "success").put("auto_inactive", "yes")),
                fieldError("auto_inactive", "invalid"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "success").put("target_url", 5)),
                fieldError("target_url", "invalid"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "success").put("log_url", new JsonObject())),
                fieldError("log_url", "invalid"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "success").put("environment_url", true)),
                fieldError("environment_url", "invalid"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "success").put("description", "nul \u0000 inside")),
                fieldError("description", "invalid"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "success").put("environment", "e".repeat(256))),
                fieldError("environment", "custom").put("message", "environment is too long (maximum is 255 characters)"));
        assertValidationFailed(paths.create(new JsonObject().put("state", "nope").put("environment", new JsonArray().add("x"))),
                fieldError("state", "invalid"), fieldError("environment", "invalid"));
        assertThat(paths.listAll()).as("nothing was written").hasSize(before);
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void bodiesThatAreNotAJsonObjectAre400(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        String path = paths.statusesPath();
        assertGithubError(paths.send("POST", path, TestKiln.ADMIN, "{\"state\": "), 400, "Problems parsing JSON", CREATE_DOCS);
        assertGithubError(paths.send("POST", path, TestKiln.ADMIN, "state=success"), 400, "Problems parsing JSON", CREATE_DOCS);
        assertGithubError(paths.send("POST", path, TestKiln.ADMIN, "[{\"state\":\"success\"}]"), 400,
                "Body should be a JSON object", CREATE_DOCS);
        assertGithubError(paths.send("POST", path, TestKiln.ADMIN, "\"success\""), 400, "Body should be a JSON object", CREATE_DOCS);
        // No body at all is an empty object, which lacks the state.
        assertValidationFailed(paths.send("POST", path, TestKiln.ADMIN, ""), fieldError("state", "missing_field"));
        Response tooLarge = paths.send("POST", path, TestKiln.ADMIN,
                "{\"state\":\"success\",\"description\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().getString("message")).isEqualTo("Payload Too Large");
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void paginatesAsGithubDoes(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        for (int i = 1; i <= 35; i++) {
            paths.created(new JsonObject().put("state", "queued").put("description", "status " + i));
        }
        JsonArray all = paths.listAll();
        assertThat(all).hasSize(38);
        assertThat(all.getJsonObject(0).getString("description")).isEqualTo("status 35");
        String url = paths.deploymentUrl() + "/statuses";

        Response first = paths.list(null);
        assertThat(new JsonArray(first.body())).hasSize(30);
        assertThat(first.header("Link")).isEqualTo("<" + url + "?page=2>; rel=\"next\", <" + url + "?page=2>; rel=\"last\"");
        Response second = paths.list("page=2");
        assertThat(new JsonArray(second.body()).getList()).isEqualTo(all.getList().subList(30, 38));
        assertThat(second.header("Link")).isEqualTo("<" + url + "?page=1>; rel=\"prev\", <" + url + "?page=1>; rel=\"first\"");

        Response middle = paths.list("per_page=5&page=3");
        assertThat(new JsonArray(middle.body()).getList()).isEqualTo(all.getList().subList(10, 15));
        assertThat(middle.header("Link")).isEqualTo("<" + url + "?per_page=5&page=2>; rel=\"prev\", "
                + "<" + url + "?per_page=5&page=4>; rel=\"next\", <" + url + "?per_page=5&page=8>; rel=\"last\", "
                + "<" + url + "?per_page=5&page=1>; rel=\"first\"");

        // Walking the pages gives every status once, newest first.
        List<Object> walked = new ArrayList<>();
        for (int page = 1; page <= 6; page++) {
            walked.addAll(new JsonArray(paths.list("per_page=7&page=" + page).body()).getList());
        }
        assertThat(walked).isEqualTo(all.getList());

        // per_page is cut to 100; values GitHub cannot use mean the defaults, not an error.
        Response clamped = paths.list("per_page=500");
        assertThat(clamped.status()).isEqualTo(200);
        assertThat(new JsonArray(clamped.body())).hasSize(38);
        assertThat(clamped.header("Link")).isNull();
        for (String query : List.of("per_page=0", "per_page=-3", "per_page=abc", "per_page=", "page=0", "page=-1", "page=abc",
                "page=1&per_page=30", "page=99999999999999999999")) {
            Response response = paths.list(query);
            assertThat(response.status()).as(query).isEqualTo(200);
            if (query.startsWith("per_page") || query.startsWith("page=1&")) {
                assertThat(new JsonArray(response.body())).as(query).hasSize(30);
            }
        }
        assertThat(new JsonArray(paths.list("page=0").body()).getList()).isEqualTo(all.getList().subList(0, 30));
        assertThat(new JsonArray(paths.list("per_page=2abc").body())).hasSize(2);

        Response beyond = paths.list("page=9");
        assertThat(beyond.body()).isEqualTo("[]");
        assertThat(beyond.header("Link")).isEqualTo("<" + url + "?page=8>; rel=\"prev\", <" + url + "?page=1>; rel=\"first\"");
        assertThat(paths.list("page=99999999999999999999").body()).isEqualTo("[]");
    }
}
