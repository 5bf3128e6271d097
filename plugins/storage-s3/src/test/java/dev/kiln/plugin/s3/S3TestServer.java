package dev.kiln.plugin.s3;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import dev.kiln.core.testing.Eventually;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 server on 127.0.0.1: S3Proxy over an in-memory store, checking AWS signatures with
 * one pair of credentials.
 */
final class S3TestServer implements AutoCloseable {

    static final String ACCESS_KEY = "kiln-test-access";
    static final String SECRET_KEY = "kiln-test-secret-8f3a91c2";

    private final BlobStore blobStore = new TransientNio2BlobStore();
    private final S3Proxy proxy;

    S3TestServer() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        Eventually.await(Duration.ofSeconds(30), "the S3 proxy to start", () -> proxy.getState().equals("STARTED"));
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    void createBucket(String bucket) {
        blobStore.createContainer(bucket);
    }

    /**
     * Every key in the bucket, read behind the plugin's back.
     */
    List<String> keys(String bucket) {
        return blobStore.list(ListObjectsV2Request.builder().bucket(bucket).build())
                .contents().stream().map(S3Object::key).sorted().toList();
    }

    HeadObjectResponse metadata(String bucket, String key) {
        return blobStore.blobMetadata(bucket, key);
    }

    /**
     * Settings for a target on this server.
     */
    Map<String, String> settings(String bucket) {
        return Map.of("endpoint", endpoint(), "bucket", bucket, "access_key", ACCESS_KEY, "secret_key", SECRET_KEY);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
