package dev.modelcompose.runtime;

import dev.modelcompose.expr.ByteSource;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The finished tasks a runtime still answers for, in the order they finished. Each is kept until it expires, and all
 * of them together hold at most a budget of output bytes (estimated): past it the oldest go first, so a busy server's
 * memory stays bounded however many runs finish within the retention time. The newest is always kept.
 */
final class FinishedTasks {
    /** What a value other than an image or bytes is counted as. */
    private static final long SMALL_VALUE_BYTES = 64;

    private final Deque<Task> order = new ArrayDeque<>();
    private long bytes;
    private long budget;

    FinishedTasks(long budget) {
        this.budget = budget;
    }

    synchronized void budget(long bytes) {
        this.budget = bytes;
    }

    synchronized void add(Task task) {
        order.addLast(task);
        bytes += estimate(task.output());
    }

    /** Forgets the tasks that finished before {@code expiry} and the oldest while over budget; returns them. */
    synchronized List<Task> evict(Instant expiry) {
        List<Task> out = new ArrayList<>();
        while (!order.isEmpty()) {
            Task oldest = order.peekFirst();
            boolean expired = oldest.finishedAt().isBefore(expiry);
            boolean overBudget = bytes > budget && order.size() > 1;
            if (!expired && !overBudget) break;
            order.removeFirst();
            bytes -= estimate(oldest.output());
            out.add(oldest);
        }
        return out;
    }

    /** The memory an output holds, roughly: 4 bytes a pixel for images, the length of bytes. */
    static long estimate(Object output) {
        if (output instanceof BufferedImage img) return 4L * img.getWidth() * img.getHeight();
        if (output instanceof byte[] b) return b.length;
        if (output instanceof ByteSource.InMemory b) return b.data().length;
        if (output instanceof Map<?, ?> m) return m.values().stream().mapToLong(FinishedTasks::estimate).sum() + SMALL_VALUE_BYTES;
        if (output instanceof Collection<?> c) return c.stream().mapToLong(FinishedTasks::estimate).sum() + SMALL_VALUE_BYTES;
        return SMALL_VALUE_BYTES;
    }
}
