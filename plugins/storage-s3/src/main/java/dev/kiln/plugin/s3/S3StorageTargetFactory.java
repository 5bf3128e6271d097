package dev.kiln.plugin.s3;

import java.time.Duration;

import org.pf4j.Extension;

import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StorageTargetFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Storage target {@code s3}: deployments as objects in Amazon S3 or any S3-compatible service
 * (MinIO, Ceph, Garage, Cloudflare R2, ...). Settings: {@code storage.s3.bucket} (required),
 * {@code endpoint} (absent for Amazon S3), {@code region} (default {@code us-east-1}),
 * {@code prefix}, {@code access_key} and {@code secret_key} (else {@code AWS_ACCESS_KEY_ID} and
 * {@code AWS_SECRET_ACCESS_KEY} from the environment) and {@code path_style} (default
 * {@code true} when an endpoint is set). Every node reads the same bucket, so any node can serve
 * any deployment.
 */
@Extension
public final class S3StorageTargetFactory implements StorageTargetFactory {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    // Uploads run eight at a time per target, and serving opens files from many threads.
    private static final int MAX_CONNECTIONS = 32;

    @Override
    public String id() {
        return "s3";
    }

    @Override
    public String description() {
        return "Objects in Amazon S3 or an S3-compatible service (storage.s3.bucket, endpoint, region, prefix)";
    }

    @Override
    public java.util.Set<String> environmentVariables() {
        return java.util.Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");
    }

    @Override
    public StorageTarget create(StorageContext context) throws StorageException {
        S3Settings settings = S3Settings.from(context);
        try {
            return new S3StorageTarget(settings, client(settings));
        } catch (RuntimeException e) {
            // The SDK checks its configuration when the client is built (region, endpoint).
            throw new StorageException("could not set up " + settings.location() + ": " + e.getMessage(), e);
        }
    }

    private static S3Client client(S3Settings settings) {
        AwsCredentials credentials = settings.sessionToken()
                .<AwsCredentials>map(token -> AwsSessionCredentials.create(settings.accessKey(), settings.secretKey(), token))
                .orElseGet(() -> AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(StaticCredentialsProvider.create(credentials))
                .forcePathStyle(settings.pathStyle())
                // Given explicitly rather than found by the SDK's service lookup, for the timeouts
                // and a pool large enough for the parallel uploads.
                .httpClient(Apache5HttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT)
                        .maxConnections(MAX_CONNECTIONS)
                        .build())
                // Since SDK 2.30 the client adds CRC checksums to every upload and drops the
                // Content-MD5 header of DeleteObjects; many S3-compatible services reject one or
                // the other. Checksums only where the API requires them, and MD5 for those.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create());
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
