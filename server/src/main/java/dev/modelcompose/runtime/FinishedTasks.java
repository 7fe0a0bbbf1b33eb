package dev.modelcompose.runtime;

import dev.modelcompose.expr.ByteSource;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The finished tasks a runtime still answers for, in the order they finished. Each is kept until it expires, and their
 * outputs never hold more than a memory budget and a disk budget together: past the memory budget the oldest
 * {@link StoredOutput}s move to disk (when there is a directory and room), and past either budget the oldest tasks are
 * forgotten, the newest included when it alone is too large. So a busy server's memory stays bounded however many
 * runs finish within the retention time, and however large their outputs.
 */
final class FinishedTasks {
    /** What a value other than an image or bytes is counted as. */
    private static final long SMALL_VALUE_BYTES = 64;

    private final Deque<Task> order = new ArrayDeque<>();
    private final List<Task> forgotten = new ArrayList<>();
    private long memoryBudget;
    private long diskBudget;
    private Path spillDir;

    FinishedTasks(long memoryBudget) {
        this.memoryBudget = memoryBudget;
    }

    synchronized void budget(long bytes) {
        this.memoryBudget = bytes;
        enforce();
    }

    /** Outputs may move to files in {@code dir}, up to {@code diskBytes} in all. */
    synchronized void spillTo(Path dir, long diskBytes) {
        this.spillDir = dir;
        this.diskBudget = diskBytes;
        enforce();
    }

    synchronized void add(Task task) {
        order.addLast(task);
        enforce();
    }

    /** Forgets the tasks that finished before {@code expiry}; returns them with those forgotten for the budgets since the last call. */
    synchronized List<Task> evict(Instant expiry) {
        while (!order.isEmpty() && order.peekFirst().finishedAt().isBefore(expiry)) forget(order.removeFirst());
        List<Task> out = new ArrayList<>(forgotten);
        forgotten.clear();
        return out;
    }

    synchronized long memoryBytes() {
        return order.stream().mapToLong(t -> memory(t.output())).sum();
    }

    synchronized long diskBytes() {
        return order.stream().mapToLong(t -> disk(t.output())).sum();
    }

    /**
     * Over the memory budget, the oldest output in memory moves to disk, making room there by forgetting the oldest
     * tasks on disk; an output that cannot go to disk is forgotten with its task. Over the disk budget, the oldest
     * tasks are forgotten.
     */
    private void enforce() {
        while (!order.isEmpty()) {
            long memory = memoryBytes(), disk = diskBytes();
            if (memory <= memoryBudget && disk <= diskBudget) return;
            Task victim = order.peekFirst();
            if (memory > memoryBudget) {
                Task inMemory = order.stream().filter(t -> OutputStore.outputsOf(t.output()).stream().anyMatch(o -> o.memoryBytes() > 0))
                        .findFirst().orElse(order.peekFirst());
                List<StoredOutput> spillable = OutputStore.outputsOf(inMemory.output()).stream().filter(o -> o.memoryBytes() > 0).toList();
                long size = spillable.stream().mapToLong(StoredOutput::size).sum();
                boolean fitsOnDisk = spillDir != null && !spillable.isEmpty() && size <= diskBudget;
                if (fitsOnDisk && disk + size <= diskBudget && spill(spillable)) continue;
                Task onDisk = order.stream().filter(t -> t != inMemory && disk(t.output()) > 0).findFirst().orElse(null);
                victim = fitsOnDisk && onDisk != null ? onDisk : inMemory;
            }
            order.remove(victim);
            forget(victim);
        }
    }

    private boolean spill(List<StoredOutput> outputs) {
        try {
            for (StoredOutput o : outputs) o.spill(spillDir);
            return true;
        } catch (IOException e) {
            return false;  // a full disk: the output is forgotten instead
        }
    }

    private void forget(Task t) {
        OutputStore.outputsOf(t.output()).forEach(StoredOutput::drop);
        forgotten.add(t);
    }

    /** The memory an output holds, roughly: 4 bytes a pixel for images, the length of bytes. */
    static long memory(Object output) {
        if (output instanceof StoredOutput s) return s.memoryBytes();
        if (output instanceof BufferedImage img) return 4L * img.getWidth() * img.getHeight();
        if (output instanceof byte[] b) return b.length;
        if (output instanceof ByteSource.InMemory b) return b.data().length;
        if (output instanceof Map<?, ?> m) return m.values().stream().mapToLong(FinishedTasks::memory).sum() + SMALL_VALUE_BYTES;
        if (output instanceof Collection<?> c) return c.stream().mapToLong(FinishedTasks::memory).sum() + SMALL_VALUE_BYTES;
        return SMALL_VALUE_BYTES;
    }

    private static long disk(Object output) {
        return OutputStore.outputsOf(output).stream().mapToLong(StoredOutput::diskBytes).sum();
    }
}
