package dev.modelcompose.http;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.BadMessageException;

/**
 * The body of one request as it arrives, read on an upload thread. It refuses more than the request limit (413), and
 * a body that arrives slower than the minimum rate or not within the deadline (408): {@link Uploads} checks every
 * body once a tick and aborts a late one, which makes a read blocked on a silent client fail at once. Whatever the
 * network does, reading ends in data, the end of the body, or an {@link ApiError}.
 */
final class RequestBody extends InputStream {
    private final InputStream in;
    private final long maxBytes;
    private final long minRate;
    private final long graceNanos;
    private final long deadlineNanos;
    private final Runnable unblock;
    private final long started = System.nanoTime();
    private volatile long received;
    private volatile String abortReason;
    private volatile boolean finished;

    /**
     * @param unblock makes a read that waits for data fail soon (it shortens the connection's idle timeout)
     */
    RequestBody(InputStream in, long maxBytes, long minRate, Duration grace, Duration deadline, Runnable unblock) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.minRate = minRate;
        this.graceNanos = grace.toNanos();
        this.deadlineNanos = deadline.toNanos();
        this.unblock = unblock;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        failIfAborted();
        int n;
        try {
            n = in.read(b, off, len);
        } catch (BadMessageException e) {
            throw failure(e.getCode() == 408 ? 408 : 400, e.getReason() == null ? "bad request body" : e.getReason());
        } catch (IOException e) {
            throw failure(408, isTimeout(e) ? "the request body stopped arriving" : "the request body could not be read (" + e.getMessage() + ")");
        }
        if (n < 0) {
            finished = true;
            return n;
        }
        received += n;
        if (received > maxBytes) throw ApiError.tooLarge(maxBytes);
        failIfAborted();
        return n;
    }

    /** Reads and discards the rest (up to the limit), so the connection can take the next request. */
    void drain() throws IOException {
        byte[] buffer = new byte[8192];
        while (read(buffer, 0, buffer.length) >= 0) { /* discard */ }
    }

    long received() {
        return received;
    }

    boolean isFinished() {
        return finished;
    }

    /** Called once a tick by the watchdog: aborts a body that is late or too slow. */
    void check(long now) {
        if (finished || abortReason != null) return;
        long elapsed = now - started;
        if (elapsed > deadlineNanos) {
            abort("the request body did not arrive within " + seconds(deadlineNanos) + " (the http-server adapter's upload_timeout)");
        } else if (minRate > 0 && elapsed > graceNanos && received < minRate * ((elapsed - graceNanos) / 1e9)) {
            abort("the request body arrived slower than " + minRate + " bytes a second (the http-server adapter's min_upload_rate)");
        }
    }

    private void abort(String reason) {
        abortReason = reason;
        unblock.run();
    }

    private void failIfAborted() {
        if (abortReason != null) throw failure(408, abortReason);
    }

    private ApiError failure(int status, String reason) {
        String why = abortReason != null ? abortReason : reason;
        return new ApiError(status, (status == 408 ? "Request Timeout: " : "Invalid request body: ") + why, Map.of("Connection", "close"));
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) if (t instanceof TimeoutException) return true;
        return false;
    }

    private static String seconds(long nanos) {
        return Duration.ofNanos(nanos).toSeconds() + " s";
    }
}
