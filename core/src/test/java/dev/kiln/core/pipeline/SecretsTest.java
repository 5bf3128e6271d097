package dev.kiln.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.kiln.core.testing.GitRepo;
import dev.kiln.core.testing.KilnExtension;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/** Secret values and repository credentials never leave Kiln: not in logs, live logs, errors, statuses or answers. */
class SecretsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SECRET = "s3cr3t-value-4217";
    private static final String PASSWORD = "pa55word-for-git";

    @RegisterExtension
    static final KilnExtension kiln = new KilnExtension();
    GitRepo repo;

    @BeforeEach
    void repository() throws Exception {
        repo = kiln.repository("repo");
        repo.write("index.html", "hi").commit("one");
    }

    @Test
    void aSecretEchoedByTheBuildIsMaskedEverywhere() throws Exception {
        String build = String.join("; ",
                "echo \"plain $API_TOKEN\"",
                // One line in two writes, with a pause between them.
                "printf 'split '; printf %s \"$API_TOKEN\" | head -c 7; sleep 0.3; printf %s \"$API_TOKEN\" | tail -c +8; echo",
                "echo \"b64 $(printf %s \"$API_TOKEN\" | base64)\"",
                "echo \"b64-newline $(echo \"$API_TOKEN\" | base64)\"",
                "echo \"b64-inside $(printf 'ab%s-and-more' \"$API_TOKEN\" | base64 -w0)\"",
                "echo \"short $SHORT\"",
                "echo \"failing with $API_TOKEN\" >&2",
                "exit 3");
        long projectId = kiln.createProject("Leaky", repo.url(), new JsonObject().put("build_command", build)
                .put("env", new JsonObject().put("API_TOKEN", SECRET).put("SHORT", "abc"))).getLong("id");
        List<String> live = new CopyOnWriteArrayList<>();
        long id = kiln.trigger(projectId).getLong("id");
        MessageConsumer<JsonObject> consumer = kiln.server().vertx().eventBus().<JsonObject>consumer(LiveLogs.address(id),
                message -> live.add(message.body().encode()));
        JsonObject failed = kiln.awaitStatus(projectId, id, WAIT, "failed", "deployed");
        consumer.unregister();
        String path = "/projects/" + projectId + "/deployments/" + id;
        String logs = kiln.admin("GET", path + "/logs", null).data().getString("build_logs");

        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(logs).contains("plain " + Redactor.MASK, "split " + Redactor.MASK, "short abc",
                "the value of SHORT is shorter than 4 characters");
        assertThat(live).anyMatch(line -> line.contains("plain " + Redactor.MASK));
        assertThat(failed.getString("error_message")).contains("failing with " + Redactor.MASK);
        String statuses = kiln.admin("GET", path + "/statuses", null).body();
        for (String text : List.of(logs, String.join("\n", live), failed.encode(), statuses,
                kiln.admin("GET", "/projects/" + projectId, null).body())) {
            assertThat(text).doesNotContain(SECRET, "s3cr3t-", "value-4217", base64(SECRET));
        }
        // Each once as printed, and again among the last lines the failure quotes.
        assertThat(logs.lines().filter(line -> line.startsWith("b64"))).hasSize(6).allMatch(line -> line.contains(Redactor.MASK));
    }

    private static String base64(String value) {
        return java.util.Base64.getEncoder().encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aRepositoryPasswordIsNeverShown() throws Exception {
        String url = "https://builder:" + PASSWORD + "@127.0.0.1:9/team/site.git";
        JsonObject project = kiln.createProject("Private", url, null);
        long projectId = project.getLong("id");
        assertThat(project.getString("repo_url")).isEqualTo("https://builder:" + Redactor.MASK + "@127.0.0.1:9/team/site.git");
        // Sending the masked URL back keeps the stored one.
        JsonObject patched = kiln.admin("PATCH", "/projects/" + projectId, new JsonObject().put("repo_url", project.getString("repo_url"))
                .put("build_command", "true")).data();
        assertThat(patched.getString("repo_url")).isEqualTo(project.getString("repo_url"));
        String answers = kiln.admin("GET", "/projects/" + projectId, null).body() + kiln.admin("GET", "/projects", null).body()
                + patched.encode();
        assertThat(answers).doesNotContain(PASSWORD);

        // A trigger tries the remote with the credentials; its error names the URL without them.
        var refused = kiln.admin("POST", "/projects/" + projectId + "/deployments", null);
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).doesNotContain(PASSWORD).contains("127.0.0.1:9/team/site.git");

        // The database holds the URL without them, and the credentials sealed.
        java.net.URI uri = java.net.URI.create(kiln.databaseUrl());
        String[] userInfo = uri.getUserInfo().split(":", 2);
        try (var connection = java.sql.DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort()
                + uri.getPath(), userInfo[0], userInfo[1]);
             var statement = connection.prepareStatement("SELECT row_to_json(p)::text FROM projects p WHERE id = ?")) {
            statement.setLong(1, projectId);
            try (var rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                String row = rows.getString(1);
                assertThat(row).doesNotContain(PASSWORD).doesNotContain("builder:").contains("https://127.0.0.1:9/team/site.git")
                        .contains("\"repo_credentials\":\"v1:");
            }
        }
    }
}
