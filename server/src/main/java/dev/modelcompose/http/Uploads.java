package dev.modelcompose.http;

import dev.modelcompose.compose.HttpLimits;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Request;

/**
 * Request bodies in flight: at most {@code max_concurrent_uploads} at once (more answer 503 with Retry-After before
 * their body is read), each read on a thread of its own pool rather than one of Jetty's request threads, and each
 * watched for the minimum rate and the deadline. So slow clients can hold neither the request threads that answer
 * {@code /health} and polls nor more than their share of uploads.
 */
final class Uploads implements AutoCloseable {
    /** How often bodies are checked against the rate and the deadline. */
    private static final long TICK_MS = 250;
    /** The idle timeout given to a connection whose body is aborted: its blocked read fails after this long. */
    private static final long UNBLOCK_MS = 50;

    private final HttpLimits limits;
    private final long maxBytes;
    private final Semaphore slots;
    private final Set<RequestBody> active = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    private final ExecutorService readers;

    Uploads(HttpLimits limits, long maxBytes) {
        this.limits = limits;
        this.maxBytes = maxBytes;
        this.slots = new Semaphore(limits.maxConcurrentUploads());
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("upload-watchdog"));
        this.readers = Executors.newCachedThreadPool(daemon("upload"));
        ticker.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            for (RequestBody b : active) b.check(now);
        }, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Where bodies are read (a thread for each upload in flight, bounded by the slots). */
    ExecutorService readers() {
        return readers;
    }

    /**
     * Takes an upload slot for the request, or answers 503: the body is then never read, so the connection closes.
     *
     * @throws ApiError 503 with Retry-After when every slot is taken
     */
    Slot acquire() {
        if (!slots.tryAcquire())
            throw new ApiError(503, "Too many uploads in progress (" + limits.maxConcurrentUploads() + ", the http-server adapter's "
                    + "max_concurrent_uploads); retry shortly", Map.of("Retry-After", "1", "Connection", "close"));
        return new Slot();
    }

    int inProgress() {
        return limits.maxConcurrentUploads() - slots.availablePermits();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        readers.shutdownNow();
    }

    /** One upload slot; {@link #body} opens the request's body under the watchdog, {@link #close} frees the slot. */
    final class Slot implements AutoCloseable {
        private RequestBody body;
        private boolean closed;

        RequestBody body(Context ctx) throws IOException {
            Request base = Request.getBaseRequest(ctx.req());
            Runnable unblock = () -> {
                if (base != null && base.getHttpChannel() != null) base.getHttpChannel().getEndPoint().setIdleTimeout(UNBLOCK_MS);
            };
            body = new RequestBody(ctx.req().getInputStream(), maxBytes, limits.minUploadRate(), HttpLimits.UPLOAD_RATE_GRACE,
                    limits.uploadTimeout(), unblock);
            active.add(body);
            return body;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            if (body != null) active.remove(body);
            slots.release();
        }
    }
}
