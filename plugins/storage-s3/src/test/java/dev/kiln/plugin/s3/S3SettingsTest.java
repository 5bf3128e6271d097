package dev.kiln.plugin.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageException;

class S3SettingsTest {

    private static final Map<String, String> MINIMAL = Map.of("bucket", "sites", "access_key", "AK", "secret_key", "s3cr3t-value");

    @Test
    void defaultsSuitAmazonS3() throws Exception {
        S3Settings settings = S3Settings.from(context(MINIMAL, Map.of()));

        assertThat(settings.endpoint()).isEmpty();
        assertThat(settings.region()).isEqualTo("us-east-1");
        assertThat(settings.prefix()).isEmpty();
        assertThat(settings.pathStyle()).isFalse();
        assertThat(settings.location()).isEqualTo("S3 bucket 'sites' in AWS region us-east-1");
    }

    @Test
    void anEndpointTurnsOnPathStyleUnlessToldOtherwise() throws Exception {
        assertThat(S3Settings.from(context(with("endpoint", "http://127.0.0.1:9000"), Map.of())).pathStyle()).isTrue();
        S3Settings settings = S3Settings.from(context(with("endpoint", "https://s3.example.com", "path_style", "FALSE",
                "region", "eu-west-3", "prefix", "//kiln/prod/"), Map.of()));

        assertThat(settings.endpoint()).contains(URI.create("https://s3.example.com"));
        assertThat(settings.pathStyle()).isFalse();
        assertThat(settings.region()).isEqualTo("eu-west-3");
        assertThat(settings.prefix()).isEqualTo("kiln/prod");
        assertThat(settings.location()).isEqualTo("S3 bucket 'sites' at https://s3.example.com");
    }

    @Test
    void aMissingBucketIsReported() {
        assertThatThrownBy(() -> S3Settings.from(context(Map.of("access_key", "AK", "secret_key", "x"), Map.of())))
                .isInstanceOf(StorageException.class).hasMessage("storage.s3.bucket is not set");
        assertThatThrownBy(() -> S3Settings.from(context(with("bucket", "  "), Map.of())))
                .isInstanceOf(StorageException.class).hasMessage("storage.s3.bucket is not set");
    }

    @Test
    void malformedValuesAreReported() {
        assertThatThrownBy(() -> S3Settings.from(context(with("endpoint", "127.0.0.1:9000"), Map.of())))
                .isInstanceOf(StorageException.class).hasMessageContaining("storage.s3.endpoint");
        assertThatThrownBy(() -> S3Settings.from(context(with("endpoint", "ftp://host"), Map.of())))
                .isInstanceOf(StorageException.class).hasMessageContaining("storage.s3.endpoint");
        assertThatThrownBy(() -> S3Settings.from(context(with("path_style", "yes"), Map.of())))
                .isInstanceOf(StorageException.class).hasMessageContaining("storage.s3.path_style must be true or false");
        assertThatThrownBy(() -> S3Settings.from(context(with("bucket", "a/b"), Map.of())))
                .isInstanceOf(StorageException.class).hasMessageContaining("not a bucket name");
    }

    @Test
    void credentialsComeFromTheSettingsElseTheEnvironment() throws Exception {
        Map<String, String> environment = Map.of("AWS_ACCESS_KEY_ID", "ENV-AK", "AWS_SECRET_ACCESS_KEY", "env-secret",
                "AWS_SESSION_TOKEN", "token");

        S3Settings fromSettings = S3Settings.from(context(MINIMAL, environment));
        S3Settings fromEnvironment = S3Settings.from(context(Map.of("bucket", "sites"), environment));

        assertThat(fromSettings.accessKey()).isEqualTo("AK");
        assertThat(fromSettings.sessionToken()).isEmpty();
        assertThat(fromEnvironment.accessKey()).isEqualTo("ENV-AK");
        assertThat(fromEnvironment.secretKey()).isEqualTo("env-secret");
        assertThat(fromEnvironment.sessionToken()).contains("token");
    }

    @Test
    void missingOrHalfCredentialsAreReported() {
        assertThatThrownBy(() -> S3Settings.from(context(Map.of("bucket", "sites"), Map.of())))
                .isInstanceOf(StorageException.class).hasMessageContaining("no S3 credentials");
        assertThatThrownBy(() -> S3Settings.from(context(Map.of("bucket", "sites", "access_key", "AK"), Map.of())))
                .isInstanceOf(StorageException.class).hasMessageContaining("must be set together");
    }

    @Test
    void toStringHidesTheSecret() throws Exception {
        assertThat(S3Settings.from(context(MINIMAL, Map.of())).toString()).contains("AK").doesNotContain("s3cr3t-value");
    }

    @Test
    void theFactoryCreatesATargetWithoutContactingTheService() throws Exception {
        S3StorageTargetFactory factory = new S3StorageTargetFactory();

        assertThat(factory.id()).isEqualTo("s3");
        assertThat(factory.create(context(with("endpoint", "http://127.0.0.1:1"), Map.of()))).isNotNull();
        assertThatThrownBy(() -> factory.create(context(Map.of(), Map.of())))
                .isInstanceOf(StorageException.class).hasMessage("storage.s3.bucket is not set");
    }

    private static Map<String, String> with(String... pairs) {
        Map<String, String> settings = new HashMap<>(MINIMAL);
        for (int i = 0; i < pairs.length; i += 2) {
            settings.put(pairs[i], pairs[i + 1]);
        }
        return settings;
    }

    private static StorageContext context(Map<String, String> settings, Map<String, String> environment) {
        return new StorageContext(Path.of("/tmp/kiln-data"), settings, environment);
    }
}
