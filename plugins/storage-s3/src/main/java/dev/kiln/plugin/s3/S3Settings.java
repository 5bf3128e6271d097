package dev.kiln.plugin.s3;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

import dev.kiln.plugin.api.StorageContext;
import dev.kiln.plugin.api.StorageException;

/**
 * The {@code storage.s3.*} settings, checked once when the target is created so that a typo is
 * reported at start-up rather than at the first deployment.
 *
 * @param endpoint the service's base URL; empty for Amazon S3 itself
 * @param region the signing region
 * @param bucket where objects go
 * @param prefix a key prefix without leading or trailing {@code /}, possibly empty
 * @param accessKey the access key id
 * @param secretKey the secret access key; never shown
 * @param sessionToken a session token for temporary credentials from the environment; never shown
 * @param pathStyle whether the bucket goes in the path ({@code host/bucket/key}) rather than the host name
 */
record S3Settings(
        Optional<URI> endpoint,
        String region,
        String bucket,
        String prefix,
        String accessKey,
        String secretKey,
        Optional<String> sessionToken,
        boolean pathStyle) {

    static final String DEFAULT_REGION = "us-east-1";

    static S3Settings from(StorageContext context) throws StorageException {
        Optional<String> bucket = context.setting("bucket").map(String::strip);
        if (bucket.isEmpty()) {
            throw new StorageException("storage.s3.bucket is not set");
        }
        if (bucket.get().contains("/") || bucket.get().chars().anyMatch(Character::isWhitespace)) {
            throw new StorageException("storage.s3.bucket '" + bucket.get() + "' is not a bucket name");
        }
        Optional<URI> endpoint = Optional.empty();
        if (context.setting("endpoint").isPresent()) {
            endpoint = Optional.of(endpoint(context.setting("endpoint").get().strip()));
        }
        String region = context.setting("region").map(String::strip).orElse(DEFAULT_REGION);
        // Self-hosted services (MinIO, Ceph, Garage, S3Proxy) rarely have wildcard DNS for
        // bucket host names; Amazon S3 is deprecating path-style requests.
        boolean pathStyle = endpoint.isPresent();
        if (context.setting("path_style").isPresent()) {
            pathStyle = flag("storage.s3.path_style", context.setting("path_style").get());
        }
        String prefix = context.setting("prefix").map(S3Settings::trimSlashes).orElse("");

        Optional<String> accessKey = context.setting("access_key").map(String::strip);
        Optional<String> secretKey = context.setting("secret_key").map(String::strip);
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw new StorageException("storage.s3.access_key and storage.s3.secret_key must be set together");
        }
        Optional<String> sessionToken = Optional.empty();
        if (accessKey.isEmpty()) {
            accessKey = variable(context, "AWS_ACCESS_KEY_ID");
            secretKey = variable(context, "AWS_SECRET_ACCESS_KEY");
            sessionToken = variable(context, "AWS_SESSION_TOKEN");
            if (accessKey.isEmpty() || secretKey.isEmpty()) {
                throw new StorageException("no S3 credentials: set storage.s3.access_key and storage.s3.secret_key,"
                        + " or the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
            }
        }
        return new S3Settings(endpoint, region, bucket.get(), prefix, accessKey.get(), secretKey.get(), sessionToken, pathStyle);
    }

    /**
     * Where the bucket is, for messages: names the bucket and the service, never a credential.
     */
    String location() {
        return "S3 bucket '" + bucket + "' " + endpoint.map(uri -> "at " + uri).orElse("in AWS region " + region);
    }

    /**
     * Hides the secrets: a record's generated {@code toString} would print them into any log line
     * that mentions the settings.
     */
    @Override
    public String toString() {
        return "S3Settings[" + location() + ", prefix '" + prefix + "', access key " + accessKey
                + ", path style " + pathStyle + "]";
    }

    private static URI endpoint(String value) throws StorageException {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getUserInfo() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below with the same message as any other malformed value.
        }
        throw new StorageException("storage.s3.endpoint '" + value + "' is not an http:// or https:// URL");
    }

    private static boolean flag(String name, String value) throws StorageException {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new StorageException(name + " must be true or false, not '" + value + "'");
        };
    }

    private static Optional<String> variable(StorageContext context, String name) {
        return Optional.ofNullable(context.environment().get(name)).map(String::strip).filter(value -> !value.isEmpty());
    }

    private static String trimSlashes(String value) {
        String trimmed = value.strip();
        int start = 0;
        int end = trimmed.length();
        while (start < end && trimmed.charAt(start) == '/') {
            start++;
        }
        while (end > start && trimmed.charAt(end - 1) == '/') {
            end--;
        }
        return trimmed.substring(start, end);
    }
}
