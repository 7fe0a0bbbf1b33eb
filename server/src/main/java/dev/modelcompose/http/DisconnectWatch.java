package dev.modelcompose.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Notices that the client of a request waiting for its run has gone away. While a request waits, Jetty does not read
 * its connection, so nothing else would see the close until the response is written: this polls the connection with a
 * non-blocking read. End of stream means the client left. Bytes mean the client pipelined its next request; that
 * byte cannot be put back, so the response then closes the connection (the client sends that request again).
 */
final class DisconnectWatch implements AutoCloseable {
    private static final long PERIOD_MS = 500;

    private final EndPoint endPoint;
    private final Context ctx;
    private final Runnable onDisconnect;
    private final ScheduledFuture<?> polling;
    private boolean stopped;

    private DisconnectWatch(Context ctx, EndPoint endPoint, Runnable onDisconnect, ScheduledExecutorService timer) {
        this.ctx = ctx;
        this.endPoint = endPoint;
        this.onDisconnect = onDisconnect;
        this.polling = timer.scheduleWithFixedDelay(this::poll, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Starts watching; null when the connection is not one Jetty exposes (then nothing is watched). */
    static DisconnectWatch start(Context ctx, Runnable onDisconnect, ScheduledExecutorService timer) {
        Request base = Request.getBaseRequest(ctx.req());
        if (base == null || base.getHttpChannel() == null) return null;
        return new DisconnectWatch(ctx, base.getHttpChannel().getEndPoint(), onDisconnect, timer);
    }

    private synchronized void poll() {
        if (stopped) return;
        int n;
        try {
            n = endPoint.isOpen() ? endPoint.fill(BufferUtil.allocate(1)) : -1;
        } catch (IOException e) {
            n = -1;
        }
        if (n == 0) return;
        stopped = true;
        polling.cancel(false);
        if (n < 0) onDisconnect.run();
        else ctx.header("Connection", "close");
    }

    /** Stops watching; after it returns no poll runs, so Jetty may use the connection again. */
    @Override
    public synchronized void close() {
        stopped = true;
        polling.cancel(false);
    }
}
