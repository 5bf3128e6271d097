package dev.kiln.plugin.s3;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import dev.kiln.plugin.api.StorageException;
import dev.kiln.plugin.api.StorageTarget;
import dev.kiln.plugin.api.StoredArtifact;
import dev.kiln.plugin.api.StoredFile;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Keeps each artifact as the objects under {@code <prefix>/<artifact key>/}. A store first deletes
 * what the key held, then uploads the files a few at a time. S3 has no rename, so unlike local
 * storage a reader may see a half-stored artifact; Kiln only serves an artifact once its store
 * has returned.
 */
final class S3StorageTarget implements StorageTarget {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");
    // Enough to hide the latency of small requests; more mostly adds throttling risk.
    private static final int UPLOAD_THREADS = 8;
    // The most keys one DeleteObjects request may carry.
    private static final int DELETE_BATCH = 1000;
    private static final Set<String> CREDENTIAL_ERRORS = Set.of(
            "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken");

    private final S3Settings settings;
    private final S3Client client;
    private final ExecutorService uploads;

    S3StorageTarget(S3Settings settings, S3Client client) {
        this.settings = settings;
        this.client = client;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(UPLOAD_THREADS, UPLOAD_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), uploadThreads());
        // Idle threads end by themselves so an unused target holds none; close() ends the rest.
        pool.allowCoreThreadTimeOut(true);
        this.uploads = pool;
    }

    /** Called by Kiln once the plugin stops: no call is in progress, none follows. */
    @Override
    public void close() {
        uploads.shutdown();
        client.close();
    }

    @Override
    public StoredArtifact store(String artifactKey, Path directory) throws StorageException {
        String keyPrefix = keyPrefix(artifactKey);
        List<SourceFile> files = sourceFiles(directory);
        deleteObjects(keyPrefix, "store artifact " + artifactKey);
        List<Future<?>> pending = new ArrayList<>(files.size());
        for (SourceFile file : files) {
            pending.add(uploads.submit(() -> client.putObject(
                    request -> request.bucket(settings.bucket()).key(keyPrefix + file.path()).contentType(ContentTypes.of(file.path())),
                    RequestBody.fromFile(file.file()))));
        }
        try {
            for (Future<?> upload : pending) {
                upload.get();
            }
        } catch (ExecutionException e) {
            pending.forEach(upload -> upload.cancel(true));
            throw failure("store artifact " + artifactKey, e.getCause());
        } catch (InterruptedException e) {
            pending.forEach(upload -> upload.cancel(true));
            Thread.currentThread().interrupt();
            throw new StorageException("storing artifact " + artifactKey + " in " + settings.location() + " was interrupted", e);
        }
        return new StoredArtifact(files.size(), files.stream().mapToLong(SourceFile::size).sum());
    }

    @Override
    public Optional<StoredFile> open(String artifactKey, String path) throws StorageException {
        if (!isValidKey(artifactKey) || !isValidPath(path)) {
            return Optional.empty();
        }
        String key = keyPrefix(artifactKey) + path;
        // HEAD now and GET only in openStream: Kiln opens files just to learn that they exist,
        // and an object's body left unread would hold a connection.
        try {
            HeadObjectResponse head = client.headObject(request -> request.bucket(settings.bucket()).key(key));
            return Optional.of(new S3File(key, head.contentLength() == null ? 0 : head.contentLength()));
        } catch (S3Exception e) {
            // HEAD answers carry no body, so a missing key is just a 404; so is a missing
            // bucket, which store and delete report by name.
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("read " + path + " of artifact " + artifactKey, e);
        } catch (RuntimeException e) {
            throw failure("read " + path + " of artifact " + artifactKey, e);
        }
    }

    @Override
    public void delete(String artifactKey) throws StorageException {
        deleteObjects(keyPrefix(artifactKey), "delete artifact " + artifactKey);
    }

    private void deleteObjects(String keyPrefix, String action) throws StorageException {
        try {
            // Listed in full before deleting: deleting while paging would move the pages.
            List<ObjectIdentifier> doomed = new ArrayList<>();
            for (S3Object object : client.listObjectsV2Paginator(request -> request.bucket(settings.bucket()).prefix(keyPrefix)).contents()) {
                doomed.add(ObjectIdentifier.builder().key(object.key()).build());
            }
            for (int start = 0; start < doomed.size(); start += DELETE_BATCH) {
                List<ObjectIdentifier> batch = doomed.subList(start, Math.min(doomed.size(), start + DELETE_BATCH));
                DeleteObjectsResponse response = client.deleteObjects(request -> request.bucket(settings.bucket())
                        .delete(delete -> delete.objects(batch).quiet(true)));
                if (response.hasErrors() && !response.errors().isEmpty()) {
                    S3Error error = response.errors().get(0);
                    throw new StorageException(message(action, response.errors().size() + " objects were not deleted, for example "
                            + error.key() + " (" + error.code() + ": " + error.message() + ")"));
                }
            }
        } catch (RuntimeException e) {
            throw failure(action, e);
        }
    }

    private static List<SourceFile> sourceFiles(Path directory) throws StorageException {
        List<SourceFile> files = new ArrayList<>();
        try {
            Path root = directory.toRealPath();
            if (!Files.isDirectory(root)) {
                throw new StorageException("the build output " + directory + " is not a directory");
            }
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                    // Links are followed only within the output: a build cannot publish files from elsewhere.
                    return dir.toRealPath().startsWith(root) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    // A dangling link arrives here with its own attributes, which are not a regular file's.
                    if (attributes.isRegularFile() && file.toRealPath().startsWith(root)) {
                        files.add(new SourceFile(file, relativePath(root, file), attributes.size()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof FileSystemLoopException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new StorageException("could not read the build output " + directory + ": " + e, e);
        }
        return files;
    }

    private static String relativePath(Path root, Path file) {
        StringBuilder path = new StringBuilder();
        for (Path name : root.relativize(file)) {
            if (path.length() > 0) {
                path.append('/');
            }
            path.append(name);
        }
        return path.toString();
    }

    private String keyPrefix(String artifactKey) throws StorageException {
        if (!isValidKey(artifactKey)) {
            throw new StorageException("invalid artifact key '" + artifactKey + "'");
        }
        return settings.prefix().isEmpty() ? artifactKey + "/" : settings.prefix() + "/" + artifactKey + "/";
    }

    private static boolean isValidKey(String artifactKey) {
        return artifactKey != null && KEY.matcher(artifactKey).matches() && !artifactKey.contains("..");
    }

    private static boolean isValidPath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/")
                || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private StorageException failure(String action, Throwable cause) {
        return new StorageException(message(action, reason(cause)), cause);
    }

    private String message(String action, String reason) {
        String message = "could not " + action + " in " + settings.location() + ": " + reason;
        // Belt and braces: no SDK message is known to carry the secret, but this text reaches users.
        return settings.secretKey().length() >= 4 ? message.replace(settings.secretKey(), "****") : message;
    }

    private static String reason(Throwable cause) {
        if (cause instanceof S3Exception e) {
            AwsErrorDetails details = e.awsErrorDetails();
            String code = details == null ? null : details.errorCode();
            String detail = (code == null ? "" : code + ": ")
                    + (details == null || details.errorMessage() == null ? "HTTP " + e.statusCode() : details.errorMessage());
            if (e.statusCode() == 403 || CREDENTIAL_ERRORS.contains(code)) {
                return "access denied, check the access key and secret key (" + detail + ")";
            }
            if ("NoSuchBucket".equals(code)) {
                return "the bucket does not exist (" + detail + ")";
            }
            return detail + " (HTTP " + e.statusCode() + ")";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof UnknownHostException) {
            return "cannot reach the service (unknown host " + root.getMessage() + ")";
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException || root instanceof SocketTimeoutException) {
            return "cannot reach the service (" + root.getMessage() + ")";
        }
        if (cause instanceof SdkClientException || cause instanceof UncheckedIOException) {
            return cause.getMessage();
        }
        return cause.toString();
    }

    private static ThreadFactory uploadThreads() {
        AtomicInteger count = new AtomicInteger();
        ClassLoader pluginLoader = S3StorageTarget.class.getClassLoader();
        return task -> {
            Thread thread = new Thread(task, "kiln-s3-upload-" + count.incrementAndGet());
            thread.setDaemon(true);
            // Threads inherit the context class loader of whoever first stored, the host's; a
            // library that looks classes up through it should see this plugin's instead.
            thread.setContextClassLoader(pluginLoader);
            return thread;
        };
    }

    private record SourceFile(Path file, String path, long size) {
    }

    /**
     * An object known to exist when it was opened; its body is fetched when read.
     */
    private final class S3File implements StoredFile {

        private final String key;
        private final long size;

        S3File(String key, long size) {
            this.key = key;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream openStream() throws IOException {
            try {
                return client.getObject(request -> request.bucket(settings.bucket()).key(key));
            } catch (NoSuchKeyException e) {
                throw new FileNotFoundException(message("read " + key, "the object is gone"));
            } catch (RuntimeException e) {
                throw new IOException(message("read " + key, reason(e)), e);
            }
        }
    }
}
