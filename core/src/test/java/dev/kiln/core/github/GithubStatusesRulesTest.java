package dev.kiln.core.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.kiln.core.github.StatusPaths.PathSet;
import dev.kiln.core.testing.TestKiln;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Who reaches which statuses on both path sets (ids, tokens, methods), and what a posted status
 * changes: {@code auto_inactive}, and never what Kiln serves.
 */
class GithubStatusesRulesTest extends StatusesTestBase {

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void unknownAndForeignIdsAre404(PathSet set) throws Exception {
        long projectId = project(repo);
        long deploymentId = deployed(projectId);
        StatusPaths paths = paths(set, projectId, deploymentId);
        assertGithubError(paths.get("999999999"), 404, "Not Found", GET_DOCS);
        assertGithubError(paths.get("abc"), 404, "Not Found", GET_DOCS);
        assertGithubError(paths.get("-1"), 404, "Not Found", GET_DOCS);

        long otherDeployment = deployed(projectId);
        long foreignStatus = paths(set, projectId, otherDeployment).listAll().getJsonObject(0).getLong("id");
        assertGithubError(paths.get(String.valueOf(foreignStatus)), 404, "Not Found", GET_DOCS);

        StatusPaths missing = paths(set, projectId, 99999999);
        assertGithubError(missing.list(null), 404, "Not Found", LIST_DOCS);
        assertGithubError(missing.create(new JsonObject().put("state", "success")), 404, "Not Found", CREATE_DOCS);
        assertGithubError(missing.get("1"), 404, "Not Found", GET_DOCS);

        // The deployment of another project, named through this one.
        long otherProject = project(otherRepo);
        long foreign = deployed(otherProject);
        StatusPaths wrongOwner = paths(set, projectId, foreign);
        assertGithubError(wrongOwner.list(null), 404, "Not Found", LIST_DOCS);
        assertGithubError(wrongOwner.create(new JsonObject().put("state", "success")), 404, "Not Found", CREATE_DOCS);
        assertThat(StatusPaths.of(kiln, set, otherProject, "other/thing", foreign).list(null).status()).isEqualTo(200);
    }

    @Test
    void githubPathsNameTheRepositoryWithoutRegardToCase() throws Exception {
        long projectId = project(repo);
        long deploymentId = deployed(projectId);
        assertThat(StatusPaths.of(kiln, PathSet.GITHUB, projectId, "ACME/Site", deploymentId).list(null).status()).isEqualTo(200);
        for (String wrong : List.of("acme/other", "nobody/site", "site/acme", "acme/site.git")) {
            assertThat(StatusPaths.of(kiln, PathSet.GITHUB, projectId, wrong, deploymentId).list(null).status()).as(wrong)
                    .isEqualTo(404);
        }
        Response unknown = kiln.send("GET", "/api/v3/repos/acme/site/pulls", Map.of("Authorization", "token " + TestKiln.ADMIN), null);
        assertGithubError(unknown, 404, "Not Found", "https://docs.github.com/rest");
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void tokensAreCheckedAndFailInGithubsShape(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        String path = paths.statusesPath();
        assertGithubError(paths.sendRaw("GET", path, Map.of(), null), 401, "Requires authentication", "https://docs.github.com/rest");
        assertGithubError(paths.sendRaw("POST", path, Map.of(), "{\"state\":\"success\"}"), 401, "Requires authentication",
                "https://docs.github.com/rest");
        assertGithubError(paths.sendRaw("GET", path, Map.of("Authorization", "token nope"), null), 401, "Bad credentials",
                "https://docs.github.com/rest");
        assertGithubError(paths.sendRaw("GET", path, Map.of("Authorization", "Basic YTpi"), null), 401, "Bad credentials",
                "https://docs.github.com/rest");
        assertThat(paths.sendRaw("GET", path, Map.of("Authorization", "token " + TestKiln.ADMIN), null).status()).isEqualTo(200);
        assertThat(paths.sendRaw("GET", path, Map.of("Authorization", "Bearer " + TestKiln.ADMIN), null).status()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void aTokenWithoutAccessGets404ToReadAnd403ToWrite(PathSet set) throws Exception {
        long projectId = project(repo);
        long deploymentId = deployed(projectId);
        long otherProject = project(otherRepo);
        StatusPaths paths = paths(set, projectId, deploymentId);
        String outsider = token("outsider", otherProject);
        String insider = token("CI deployer #1", projectId);
        long statusId = paths.listAll().getJsonObject(0).getLong("id");

        assertGithubError(paths.send("GET", paths.statusesPath(), outsider, null), 404, "Not Found", LIST_DOCS);
        assertGithubError(paths.send("GET", paths.statusesPath() + "/" + statusId, outsider, null), 404, "Not Found", GET_DOCS);
        assertGithubError(paths.send("POST", paths.statusesPath(), outsider, "{\"state\":\"success\"}"), 403,
                "Resource not accessible by personal access token", CREATE_DOCS);

        assertThat(paths.send("GET", paths.statusesPath(), insider, null).status()).isEqualTo(200);
        Response created = paths.send("POST", paths.statusesPath(), insider, "{\"state\":\"in_progress\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonObject creator = created.json().getJsonObject("creator");
        assertThat(creator.getString("login")).isEqualTo("CI-deployer-1");
        long tokenId = creator.getLong("id");
        assertThat(new String(Base64.getDecoder().decode(creator.getString("node_id")), StandardCharsets.UTF_8))
                .isEqualTo("04:User" + tokenId);
        assertThat(creator.getString("url")).isEqualTo(kiln.baseUrl() + "/api/v3/users/CI-deployer-1");
    }

    private static String token(String name, long projectId) throws Exception {
        Response response = kiln.admin("POST", "/tokens", new JsonObject().put("name", name).put("project_ids", new JsonArray().add(projectId)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.data().getString("token");
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void otherMethodsAndPathsAre404InGithubsShape(PathSet set) throws Exception {
        StatusPaths paths = fresh(set);
        long statusId = paths.listAll().getJsonObject(0).getLong("id");
        for (String[] request : new String[][] {{"DELETE", ""}, {"PUT", ""}, {"PATCH", "/" + statusId}, {"DELETE", "/" + statusId},
                {"GET", "/" + statusId + "/more"}, {"POST", "/" + statusId}}) {
            Response response = paths.send(request[0], paths.statusesPath() + request[1], TestKiln.ADMIN, "{}");
            assertThat(response.status()).as(request[0] + " " + request[1]).isEqualTo(404);
            assertThat(response.json().getString("message")).isEqualTo("Not Found");
        }
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void autoInactiveMarksEarlierSuccessfulDeploymentsOfTheSameProjectAndEnvironment(PathSet set) throws Exception {
        long otherProject = project(repo);
        StatusPaths neighbour = paths(set, otherProject, deployed(otherProject));
        neighbour.created(new JsonObject().put("state", "success").put("environment", "qa").put("auto_inactive", false));

        long projectId = project(repo);
        StatusPaths first = paths(set, projectId, deployed(projectId));
        StatusPaths failing = paths(set, projectId, deployed(projectId));
        StatusPaths third = paths(set, projectId, deployed(projectId));
        StatusPaths fourth = paths(set, projectId, deployed(projectId));
        first.created(new JsonObject().put("state", "success").put("environment", "qa").put("auto_inactive", false));
        failing.created(new JsonObject().put("state", "failure").put("environment", "qa").put("auto_inactive", false));

        // auto_inactive defaults to true.
        third.created(new JsonObject().put("state", "success").put("environment", "qa"));
        JsonObject inactive = first.listAll().getJsonObject(0);
        assertThat(inactive.getString("state")).isEqualTo("inactive");
        assertThat(inactive.getString("environment")).isEqualTo("qa");
        assertThat(inactive.getJsonObject("creator").getString("login")).isEqualTo("admin");
        assertThat(latestState(failing)).as("only deployments whose latest state is success").isEqualTo("failure");
        assertThat(latestState(neighbour)).as("another project").isEqualTo("success");
        assertThat(latestState(fourth)).as("a later deployment, in another environment").isEqualTo("success");

        // Only earlier deployments: the first one's success leaves the later third alone.
        first.created(new JsonObject().put("state", "success").put("environment", "qa").put("auto_inactive", true));
        assertThat(latestState(third)).isEqualTo("success");
        // auto_inactive false marks nothing.
        int before = first.listAll().size();
        fourth.created(new JsonObject().put("state", "success").put("environment", "qa").put("auto_inactive", false));
        assertThat(latestState(first)).isEqualTo("success");
        assertThat(latestState(third)).isEqualTo("success");
        assertThat(first.listAll()).hasSize(before);
        // Statuses that are not success mark nothing either.
        fourth.created(new JsonObject().put("state", "in_progress").put("environment", "qa"));
        assertThat(latestState(third)).isEqualTo("success");
    }

    private static String latestState(StatusPaths paths) throws Exception {
        return paths.listAll().getJsonObject(0).getString("state");
    }

    @ParameterizedTest
    @EnumSource(PathSet.class)
    void aStatusPostedByAClientDoesNotChangeWhatKilnServes(PathSet set) throws Exception {
        long projectId = project(repo);
        long older = deployed(projectId);
        long active = deployed(projectId);
        StatusPaths paths = paths(set, projectId, active);
        for (String state : List.of("inactive", "failure", "error", "queued")) {
            paths.created(new JsonObject().put("state", state));
        }
        paths(set, projectId, older).created(new JsonObject().put("state", "success"));

        JsonObject project = kiln.admin("GET", "/projects/" + projectId, null).data();
        assertThat(project.getLong("active_deployment_id")).isEqualTo(active);
        assertThat(kiln.admin("GET", "/projects/" + projectId + "/deployments/" + active, null).data().getString("status"))
                .isEqualTo("deployed");
        Response site = kiln.get(project.getString("production_url"));
        assertThat(site.status()).isEqualTo(200);
        assertThat(site.body()).isEqualTo("<h1>site</h1>");
    }
}
