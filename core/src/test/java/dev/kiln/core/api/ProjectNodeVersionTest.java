package dev.kiln.core.api;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.KilnExtension;
import dev.kiln.core.testing.TestKiln.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A project's {@code node_version}: created, read, changed, cleared, and refused when no Node tooling reads it. */
class ProjectNodeVersionTest {

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();

    private static Response create(String name, Object nodeVersion) throws Exception {
        return kiln.admin("POST", "/projects", new JsonObject().put("name", name).put("repo_url", "https://example.com/acme/" + name + ".git")
                .put("builder", "shell").put("node_version", nodeVersion));
    }

    private static JsonObject project(long id) throws Exception {
        return kiln.admin("GET", "/projects/" + id, null).data();
    }

    @Test
    void isCreatedReadChangedAndCleared() throws Exception {
        Response created = create("pinned", "20");
        assertThat(created.status()).isEqualTo(201);
        long id = created.data().getLong("id");
        assertThat(created.data().getString("node_version")).isEqualTo("20");
        assertThat(project(id).getString("node_version")).isEqualTo("20");

        Response changed = kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("node_version", " >=18 <21 "));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.data().getString("node_version")).isEqualTo(">=18 <21");
        // Changing something else keeps it; a client may send back what it read.
        assertThat(kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("build_command", "make")).data().getString("node_version"))
                .isEqualTo(">=18 <21");
        assertThat(kiln.admin("PATCH", "/projects/" + id, project(id)).status()).isEqualTo(200);
        assertThat(project(id).getString("node_version")).isEqualTo(">=18 <21");

        assertThat(kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("node_version", 18)).data().getString("node_version"))
                .isEqualTo("18");
        assertThat(kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("node_version", "")).data().getValue("node_version")).isNull();
        kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("node_version", "v22.1.0"));
        assertThat(kiln.admin("PATCH", "/projects/" + id, new JsonObject().putNull("node_version")).data().getValue("node_version")).isNull();
        assertThat(project(id).containsKey("node_version")).isTrue();
        assertThat(project(id).getValue("node_version")).isNull();
    }

    @Test
    void withoutItTheRepositoryDecides() throws Exception {
        Response created = kiln.admin("POST", "/projects", new JsonObject().put("name", "unpinned")
                .put("repo_url", "https://example.com/acme/unpinned.git").put("builder", "shell"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.data().containsKey("node_version")).isTrue();
        assertThat(created.data().getValue("node_version")).isNull();
    }

    @Test
    void acceptsTheVersionsAndRangesNodeToolingReads() throws Exception {
        String[] accepted = {"20", "20.11.1", "v18", "18.x", "^20", "~18.2", ">=18 <21", ">= 18 < 21", "16 - 18", "^18 || ^20", "*", "20.X"};
        int n = 0;
        for (String version : accepted) {
            Response created = create("accepted-" + n++, version);
            assertThat(created.status()).as(version + ": " + created.body()).isEqualTo(201);
            assertThat(created.data().getString("node_version")).isEqualTo(version);
        }
    }

    @Test
    void refusesWhatIsNotAVersionNamingTheField() throws Exception {
        long id = create("refusing", "20").data().getLong("id");
        Object[] refused = {"lts/*", "lts/iron", "node", "latest", "twenty", "20.1.2.3", ">=", "18 ||", "|| 18", "18 - ", "20;rm -rf /",
            "$(reboot)", "20\n", "20\u0000", "\u001B[31m20", "1".repeat(65), "1 || ".repeat(20) + "1", true, 20.5, new JsonArray().add("20"),
            new JsonObject().put("major", 20)};
        for (Object value : refused) {
            for (Response response : new Response[] {
                kiln.admin("PATCH", "/projects/" + id, new JsonObject().put("node_version", value)),
                create("refused-" + System.nanoTime(), value)}) {
                assertThat(response.status()).as(String.valueOf(value)).isEqualTo(422);
                assertThat(response.errorCode()).isEqualTo("validation_error");
                assertThat(response.json().getJsonObject("error").getString("message")).as(String.valueOf(value)).startsWith("node_version: ");
            }
        }
        assertThat(project(id).getString("node_version")).isEqualTo("20");
    }
}
