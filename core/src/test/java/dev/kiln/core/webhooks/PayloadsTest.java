package dev.kiln.core.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kiln.core.webhooks.Delivery.Provider;
import dev.kiln.core.webhooks.SourceEvent.Kind;
import io.vertx.core.json.JsonObject;

/** Reading each platform's headers and payloads, and checking their credentials. */
class PayloadsTest {

    private static final String SHA = "c".repeat(40);

    private static Delivery delivery(Provider provider, String event) {
        return new Delivery(provider, event, "id", "x");
    }

    @Test
    void headersNameThePlatformTheEventAndTheDelivery() {
        Map<String, String> forgejo = Map.of("X-Forgejo-Event", "push", "X-Forgejo-Delivery", "d-1", "X-Forgejo-Signature", "ab");
        assertThat(Delivery.of(forgejo::get)).contains(new Delivery(Provider.GITEA, "push", "d-1", "ab"));
        Map<String, String> gitlab = Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID", "u-1", "X-Gitlab-Token", "t");
        assertThat(Delivery.of(gitlab::get)).contains(new Delivery(Provider.GITLAB, "Push Hook", "u-1", "t"));
        assertThat(Delivery.of(Map.<String, String>of()::get)).isEmpty();
    }

    @Test
    void signaturesAreCheckedOverTheRawBody() {
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(Delivery.hmac("s3cret", body));
        assertThat(new Delivery(Provider.GITHUB, "push", null, "sha256=" + hex).authentic("s3cret", body)).isTrue();
        assertThat(new Delivery(Provider.GITHUB, "push", null, hex).authentic("s3cret", body)).as("GitHub's prefix is required").isFalse();
        assertThat(new Delivery(Provider.GITEA, "push", null, hex).authentic("s3cret", body)).isTrue();
        assertThat(new Delivery(Provider.GITEA, "push", null, hex).authentic("other", body)).isFalse();
        assertThat(new Delivery(Provider.GITEA, "push", null, hex).authentic("s3cret", "{\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .isFalse();
        assertThat(new Delivery(Provider.GITLAB, "Push Hook", null, "s3cret").authentic("s3cret", body)).isTrue();
        assertThat(new Delivery(Provider.GITLAB, "Push Hook", null, "s3cre").authentic("s3cret", body)).isFalse();
        assertThat(new Delivery(Provider.GITLAB, "Push Hook", null, null).authentic("s3cret", body)).isFalse();
    }

    @Test
    void giteaRequestsAndDeletionsReadAsGithubs() {
        JsonObject synchronized_ = Hooks.pullRequest("synchronized", "fix", SHA, false);
        assertThat(Payloads.read(delivery(Provider.GITEA, "pull_request"), synchronized_))
                .isEqualTo(new SourceEvent(Kind.DEPLOY, "fix", SHA, null, null));
        JsonObject deleted = new JsonObject().put("ref", "old").put("ref_type", "branch").put("pusher_type", "user");
        assertThat(Payloads.read(delivery(Provider.GITEA, "delete"), deleted).kind()).isEqualTo(Kind.REMOVE_PREVIEW);
        JsonObject tag = new JsonObject().put("ref", "v1").put("ref_type", "tag");
        assertThat(Payloads.read(delivery(Provider.GITEA, "delete"), tag).kind()).isEqualTo(Kind.IGNORED);
        JsonObject labeled = Hooks.pullRequest("labeled", "fix", SHA, false);
        assertThat(Payloads.read(delivery(Provider.GITHUB, "pull_request"), labeled).kind()).isEqualTo(Kind.IGNORED);
    }

    @Test
    void gitlabPushesDeletionsAndTags() {
        assertThat(Payloads.read(delivery(Provider.GITLAB, "Push Hook"), Hooks.gitlabPush("main", Hooks.ZERO, SHA, "msg")))
                .isEqualTo(new SourceEvent(Kind.DEPLOY, "main", SHA, "msg", null));
        assertThat(Payloads.read(delivery(Provider.GITLAB, "Push Hook"), Hooks.gitlabPush("gone", SHA, Hooks.ZERO, "msg")).kind())
                .isEqualTo(Kind.REMOVE_PREVIEW);
        assertThat(Payloads.read(delivery(Provider.GITLAB, "Tag Push Hook"), new JsonObject()).kind()).isEqualTo(Kind.IGNORED);
        assertThat(Payloads.read(delivery(Provider.GITLAB, "Merge Request Hook"),
                Hooks.gitlabMergeRequest("update", "topic", SHA, "d".repeat(40), 15)).kind()).isEqualTo(Kind.DEPLOY);
    }

    @Test
    void aPayloadMissingWhatItsEventNeedsIsMalformed() {
        assertThatThrownBy(() -> Payloads.read(delivery(Provider.GITHUB, "push"), new JsonObject().put("ref", "refs/heads/main")
                .put("after", "not-a-sha"))).isInstanceOf(Payloads.Malformed.class).hasMessageContaining("after");
        assertThatThrownBy(() -> Payloads.read(delivery(Provider.GITHUB, "pull_request"), new JsonObject().put("action", "opened")))
                .isInstanceOf(Payloads.Malformed.class).hasMessageContaining("pull_request");
    }
}
