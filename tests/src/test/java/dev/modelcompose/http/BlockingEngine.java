package dev.modelcompose.http;

import dev.modelcompose.runtime.UpscaleEngine;
import dev.modelcompose.upscale.UpscaleCancelledException;
import dev.modelcompose.upscale.UpscaleJob;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A x2 engine whose upscales wait until {@link #release()} (or their job is cancelled), so a test controls exactly
 * how many runs are in flight. Install it with {@code RuntimeOptions.withEngines((files, options) -> engine)}.
 */
final class BlockingEngine implements UpscaleEngine {
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger started = new AtomicInteger();
    private final UnaryOperator<BufferedImage> result;

    /** @param result the output for an input; must be twice its size */
    BlockingEngine(UnaryOperator<BufferedImage> result) {
        this.result = result;
    }

    /** Upscales by nearest neighbour. */
    BlockingEngine() {
        this(BlockingEngine::nearestTimesTwo);
    }

    static BufferedImage nearestTimesTwo(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth() * 2, image.getHeight() * 2, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, out.getWidth(), out.getHeight(), null);
        g.dispose();
        return out;
    }

    void release() {
        released.countDown();
    }

    int started() {
        return started.get();
    }

    void awaitStarted(int n, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (started.get() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError(started.get() + " upscales started, expected " + n);
            Thread.sleep(10);
        }
    }

    @Override
    public int scale() {
        return 2;
    }

    @Override
    public BufferedImage upscale(BufferedImage image, dev.modelcompose.upscale.UpscaleOptions options, UpscaleJob job) {
        started.incrementAndGet();
        try {
            while (!released.await(10, TimeUnit.MILLISECONDS))
                if (job.isCancelled()) throw new UpscaleCancelledException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpscaleCancelledException();
        }
        return result.apply(image);
    }

    @Override
    public void close() {}
}
