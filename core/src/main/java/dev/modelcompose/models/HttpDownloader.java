package dev.modelcompose.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one file over HTTP(S) into a cache, safely: the bytes go to an {@code .incomplete} file,
 * which is resumed with an HTTP {@code Range} request after a cut connection (in this call, or in a
 * later one), checked against its SHA-256 when one is known, and renamed to its final name only when
 * complete. An interrupted download therefore leaves only the {@code .incomplete} file.
 *
 * <p>Redirects are followed by hand so that an {@code Authorization} header never travels to
 * another host (Hugging Face redirects large files to a CDN). Instances are immutable; the HTTP
 * client is shared.
 */
public final class HttpDownloader {
    public static final String USER_AGENT = "model-compose-java/0.1";
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_TOTAL_ATTEMPTS = 1000;
    private static final long PROGRESS_STEP = 256 * 1024;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)");
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private static final class Shared {
        static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
        static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "model-download-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    private final Consumer<DownloadProgress> progress;
    private final int maxAttempts;
    private final Duration retryDelay;
    private final Duration idleTimeout;

    public HttpDownloader() {
        this(DownloadProgress.IGNORE, 5, Duration.ofSeconds(2), Duration.ofSeconds(60));
    }

    private HttpDownloader(Consumer<DownloadProgress> progress, int maxAttempts, Duration retryDelay, Duration idleTimeout) {
        this.progress = Objects.requireNonNull(progress);
        this.maxAttempts = Math.max(1, maxAttempts);
        this.retryDelay = retryDelay;
        this.idleTimeout = idleTimeout;
    }

    /** A copy that reports to {@code listener} (null: no reports). */
    public HttpDownloader withProgress(Consumer<DownloadProgress> listener) {
        return new HttpDownloader(listener == null ? DownloadProgress.IGNORE : listener, maxAttempts, retryDelay, idleTimeout);
    }

    /**
     * A copy that tries a download at most {@code maxAttempts} times in a row without the connection
     * making progress (an attempt that received bytes starts the count again), waiting
     * {@code retryDelay} times the attempt number in between. 1: no retries in this call.
     */
    public HttpDownloader withRetries(int maxAttempts, Duration retryDelay) {
        return new HttpDownloader(progress, maxAttempts, retryDelay, idleTimeout);
    }

    /** A copy that gives up on a connection that delivers nothing for {@code timeout} (default 60 s). */
    public HttpDownloader withIdleTimeout(Duration timeout) {
        return new HttpDownloader(progress, maxAttempts, retryDelay, timeout);
    }

    public Consumer<DownloadProgress> progress() {
        return progress;
    }

    /** The answer to a HEAD request. {@code location} is set when it ended on a redirect to another host. */
    public record Head(int status, URI uri, HttpHeaders headers, URI location) {
        public Optional<String> header(String name) {
            return headers.firstValue(name).filter(v -> !v.isBlank());
        }

        /** Where to GET the file: the redirect target, else the URI the HEAD ended on. */
        public URI downloadUri() {
            return location != null ? location : uri;
        }
    }

    /**
     * HEAD {@code uri}, following only relative redirects (as huggingface_hub does, so the metadata
     * headers of the redirect to a CDN are kept).
     *
     * @throws HttpStatusException on an HTTP error status
     * @throws ModelFetchException when the server cannot be reached
     */
    public Head head(URI uri, Map<String, String> headers) {
        for (int attempt = 1; ; attempt++) {
            try {
                return headOnce(uri, headers);
            } catch (HttpStatusException e) {
                if (e.status() < 500 && e.status() != 429 || attempt >= maxAttempts) throw e;
            } catch (ModelFetchException e) {
                if (attempt >= maxAttempts) throw e;
            }
            sleep(retryDelay.multipliedBy(Math.min(attempt, 5)));
        }
    }

    private Head headOnce(URI uri, Map<String, String> headers) {
        URI current = uri;
        for (int i = 0; i <= MAX_REDIRECTS; i++) {
            HttpRequest.Builder rb = request(current, headers, uri).method("HEAD", HttpRequest.BodyPublishers.noBody());
            HttpResponse<Void> r = send(rb.build(), HttpResponse.BodyHandlers.discarding(), current);
            int s = r.statusCode();
            if (isRedirect(s)) {
                Optional<String> loc = r.headers().firstValue("location");
                if (loc.isEmpty()) return new Head(s, current, r.headers(), null);
                URI relative = parseLocation(loc.get(), uri);
                URI target = current.resolve(relative);
                if (relative.getHost() == null) {
                    current = target;
                    continue;
                }
                return new Head(s, current, r.headers(), target);
            }
            if (s >= 400) throw statusError(s, current, r.headers());
            return new Head(s, current, r.headers(), null);
        }
        throw new ModelFetchException("too many redirects from " + display(uri));
    }

    private static URI parseLocation(String location, URI from) {
        try {
            return URI.create(location.strip());
        } catch (IllegalArgumentException e) {
            throw new ModelFetchException(display(from) + " redirected to an invalid location: " + location);
        }
    }

    /**
     * Downloads {@code uri} to {@code destination} through {@code incomplete}; does nothing when
     * {@code destination} exists. A partial {@code incomplete} file left by an earlier run is resumed.
     *
     * @param headers      request headers; {@code Authorization} is sent only to {@code uri}'s host
     * @param sha256       expected SHA-256 (hex), or null when unknown; on a mismatch the download is deleted
     * @param expectedSize the size if known beforehand, else -1 (the server's answer wins)
     * @param label        the name shown in progress events and messages
     * @param lockFile     a file locked while downloading, so concurrent processes do not mix their bytes; may be null
     */
    public void download(URI uri, Map<String, String> headers, Path incomplete, Path destination, String sha256,
                         long expectedSize, String label, Path lockFile) {
        ReentrantLock jvmLock = LOCKS.computeIfAbsent(destination.toAbsolutePath().normalize(), k -> new ReentrantLock());
        jvmLock.lock();
        try {
            Files.createDirectories(destination.toAbsolutePath().getParent());
            if (lockFile != null) Files.createDirectories(lockFile.toAbsolutePath().getParent());
            try (FileChannel lockChannel = lockFile == null ? null
                    : FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel == null ? null : lockChannel.lock()) {
                if (Files.exists(destination)) return;
                fetch(uri, headers, incomplete, destination, sha256, expectedSize, label);
            }
        } catch (IOException e) {
            throw new ModelFetchException("cannot write the download of " + label + " to " + destination.getParent() + ": " + e, e);
        } finally {
            jvmLock.unlock();
        }
    }

    private void fetch(URI uri, Map<String, String> headers, Path incomplete, Path destination, String sha256, long expectedSize,
                       String label) throws IOException {
        Reporter reporter = new Reporter(label);
        long total = expectedSize;
        int failures = 0;
        for (int attempt = 1; ; attempt++) {
            long before = Files.exists(incomplete) ? Files.size(incomplete) : 0;
            try {
                total = attempt(uri, headers, incomplete, total, reporter);
                break;
            } catch (IOException e) {
                long after = Files.exists(incomplete) ? Files.size(incomplete) : 0;
                failures = after > before ? 1 : failures + 1;
                if (failures >= maxAttempts || attempt >= MAX_TOTAL_ATTEMPTS) {
                    String kept = after > 0 ? "; the partial download (" + after + (total >= 0 ? " of " + total : "") + " bytes) is kept in "
                            + incomplete + " and resumed next time" : "";
                    throw new ModelFetchException("download of " + label + " from " + display(uri) + " failed after " + attempt
                            + (attempt == 1 ? " attempt: " : " attempts: ") + describe(e) + kept, e);
                }
                sleep(retryDelay.multipliedBy(Math.min(failures, 5)));
            }
        }
        long size = Files.size(incomplete);
        if (sha256 != null && !sha256.isBlank()) {
            String actual = ModelCache.sha256(incomplete);
            if (!actual.equalsIgnoreCase(sha256.strip())) {
                Files.deleteIfExists(incomplete);
                throw new ModelFetchException("checksum mismatch for " + label + " downloaded from " + display(uri) + ": SHA-256 is " + actual
                        + " but " + sha256.strip().toLowerCase(Locale.ROOT) + " was expected; the download was deleted");
            }
        }
        try {
            Files.move(incomplete, destination, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(incomplete, destination, StandardCopyOption.REPLACE_EXISTING);
        }
        reporter.report(size, size, true);
    }

    /** One request; returns the total size once {@code incomplete} holds the whole file. */
    private long attempt(URI uri, Map<String, String> headers, Path incomplete, long knownTotal, Reporter reporter) throws IOException {
        long offset = Files.exists(incomplete) ? Files.size(incomplete) : 0;
        if (knownTotal >= 0 && offset > knownTotal) {
            Files.delete(incomplete);
            offset = 0;
        }
        if (knownTotal >= 0 && offset == knownTotal && offset > 0) return knownTotal;
        reporter.report(offset, knownTotal, true);

        HttpResponse<InputStream> r = get(uri, headers, offset);
        int s = r.statusCode();
        boolean append;
        long total;
        if (s == 206) {
            String range = r.headers().firstValue("content-range").orElse("");
            Matcher m = CONTENT_RANGE.matcher(range);
            if (!m.find() || Long.parseLong(m.group(1)) != offset) {
                close(r);
                Files.deleteIfExists(incomplete);
                throw new IOException("the server answered the resume request with an unexpected range '" + range + "'");
            }
            append = true;
            total = m.group(3).equals("*") ? knownTotal : Long.parseLong(m.group(3));
        } else if (s == 200) {
            append = false;  // the server ignored the Range header: start again
            offset = 0;
            total = r.headers().firstValueAsLong("content-length").orElse(knownTotal);
        } else if (s == 416 && offset > 0) {
            close(r);
            Matcher m = UNSATISFIED_RANGE.matcher(r.headers().firstValue("content-range").orElse(""));
            if (m.find() && Long.parseLong(m.group(1)) == offset) return offset;  // already complete
            Files.deleteIfExists(incomplete);
            throw new IOException("the server refused to resume at byte " + offset + " (HTTP 416); starting over");
        } else {
            HttpHeaders h = r.headers();
            close(r);
            if (s >= 500 || s == 429 || s == 408) throw new IOException("HTTP " + s + " from " + display(r.uri()));
            throw statusError(s, r.uri(), h);
        }

        long done = offset;
        AtomicLong lastActivity = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        InputStream in = r.body();
        long periodMs = Math.max(50, Math.min(1000, idleTimeout.toMillis() / 4));
        ScheduledFuture<?> watchdog = Shared.WATCHDOG.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastActivity.get() > idleTimeout.toNanos() && stalled.compareAndSet(false, true)) close(in);
        }, periodMs, periodMs, TimeUnit.MILLISECONDS);
        try (in; OutputStream out = append
                ? Files.newOutputStream(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                : Files.newOutputStream(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[64 * 1024];
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    if (stalled.get()) throw new IOException("no data received for " + seconds(idleTimeout) + " after " + done + " bytes", e);
                    throw new IOException("the connection broke after " + done + (total >= 0 ? " of " + total : "") + " bytes ("
                            + describe(e) + ")", e);
                }
                if (n < 0) break;
                if (n == 0) continue;
                out.write(buf, 0, n);
                done += n;
                lastActivity.set(System.nanoTime());
                reporter.report(done, total, false);
                if (total >= 0 && done > total) break;
            }
        } finally {
            watchdog.cancel(false);
        }
        if (stalled.get()) throw new IOException("no data received for " + seconds(idleTimeout) + " after " + done + " bytes");
        if (total >= 0 && done < total) throw new IOException("the connection closed after " + done + " of " + total + " bytes");
        if (total >= 0 && done > total) {
            Files.deleteIfExists(incomplete);
            throw new IOException("the server sent more than the announced " + total + " bytes");
        }
        return done;
    }

    private HttpResponse<InputStream> get(URI uri, Map<String, String> headers, long offset) throws IOException {
        URI current = uri;
        for (int i = 0; i <= MAX_REDIRECTS; i++) {
            HttpRequest.Builder rb = request(current, headers, uri).GET();
            if (offset > 0) rb.header("Range", "bytes=" + offset + "-");
            HttpResponse<InputStream> r;
            try {
                r = Shared.CLIENT.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelFetchException("interrupted while downloading " + display(uri));
            }
            if (isRedirect(r.statusCode()) && r.headers().firstValue("location").isPresent()) {
                close(r);
                current = current.resolve(parseLocation(r.headers().firstValue("location").get(), uri));
                continue;
            }
            return r;
        }
        throw new IOException("too many redirects from " + display(uri));
    }

    /** A request with the caller's headers; Authorization only while on the original host. */
    private HttpRequest.Builder request(URI target, Map<String, String> headers, URI original) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(target).timeout(idleTimeout).header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity");
        boolean sameHost = sameOrigin(target, original);
        headers.forEach((k, v) -> {
            if (v == null) return;
            if (k.equalsIgnoreCase("authorization") && !sameHost) return;
            rb.header(k, v);
        });
        return rb;
    }

    /** Same scheme, host and port: where credentials for one may go to the other. */
    public static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getHost()), lower(b.getHost())) && a.getPort() == b.getPort()
                && Objects.equals(lower(a.getScheme()), lower(b.getScheme()));
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, URI uri) {
        try {
            return Shared.CLIENT.send(request, handler);
        } catch (IOException e) {
            throw new ModelFetchException("cannot reach " + display(uri) + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelFetchException("interrupted while contacting " + display(uri));
        }
    }

    private static HttpStatusException statusError(int status, URI uri, HttpHeaders h) {
        String code = h.firstValue("x-error-code").orElse(null);
        String message = h.firstValue("x-error-message").orElse(null);
        return new HttpStatusException(status, uri, code, "HTTP " + status + " from " + display(uri)
                + (message != null ? ": " + message : code != null ? " (" + code + ")" : ""));
    }

    private static boolean isRedirect(int s) {
        return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /** The URI without its query string (pre-signed CDN URLs carry credentials there). */
    static String display(URI uri) {
        String s = uri.toString();
        int q = s.indexOf('?');
        return q >= 0 ? s.substring(0, q) : s;
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (e instanceof java.net.ConnectException) return "connection refused or unreachable" + (m != null ? " (" + m + ")" : "");
        if (e instanceof java.net.http.HttpConnectTimeoutException) return "connection timed out";
        if (e instanceof java.net.UnknownHostException) return "unknown host " + m;
        if (m == null || m.isBlank()) return type;
        return m;
    }

    private static void close(HttpResponse<InputStream> r) {
        close(r.body());
    }

    private static void close(InputStream in) {
        try {
            if (in != null) in.close();
        } catch (IOException ignored) {
            // closing only releases the connection
        }
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelFetchException("interrupted while waiting to retry a download");
        }
    }

    /** Emits non-decreasing progress, at most every {@link #PROGRESS_STEP} bytes unless forced. */
    private final class Reporter {
        private final String label;
        private long lastDone = -1;
        private long lastTotal = Long.MIN_VALUE;

        Reporter(String label) {
            this.label = label;
        }

        void report(long done, long total, boolean force) {
            if (done < lastDone) return;
            if (done == lastDone && total == lastTotal) return;
            if (!force && done != total && done - lastDone < PROGRESS_STEP && total == lastTotal) return;
            lastDone = done;
            lastTotal = total;
            progress.accept(new DownloadProgress(label, done, total));
        }
    }
}
