package dev.modelcompose.memory;

/**
 * Heap that runs in flight may use together. A run reserves what its images will need before it decodes or upscales
 * them, and gives it back when it ends, so that many large requests at once wait or are refused instead of filling the
 * heap. Thread-safe.
 */
public final class MemoryBudget {
    private long total;
    private long used;

    /** @param total bytes; {@link Long#MAX_VALUE} for no limit */
    public MemoryBudget(long total) {
        if (total <= 0) throw new IllegalArgumentException("a memory budget must be positive, not " + total);
        this.total = total;
    }

    /** Half the maximum heap: the rest is for the server itself, finished outputs and encoding. */
    public static MemoryBudget halfTheHeap() {
        return new MemoryBudget(Runtime.getRuntime().maxMemory() / 2);
    }

    public synchronized long total() {
        return total;
    }

    public synchronized long used() {
        return used;
    }

    public synchronized void resize(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("a memory budget must be positive, not " + bytes);
        total = bytes;
    }

    /**
     * Reserves {@code bytes} now.
     *
     * @param what the work, for messages ("decoding a 6000x6000 image")
     * @throws TooLargeException  when it is more than the whole budget: it would never fit
     * @throws MemoryBusyException when the budget is in use by other runs: retrying later may fit
     */
    public synchronized Lease reserve(long bytes, String what) {
        if (bytes > total) throw TooLargeException.forMemory(what, bytes, total);
        if (bytes > total - used) throw new MemoryBusyException(what, bytes, total - used);
        used += bytes;
        return new Lease(this, bytes);
    }

    private synchronized void release(long bytes) {
        used -= bytes;
    }

    /** Reserved memory; closing it gives the memory back (once). */
    public static final class Lease implements AutoCloseable {
        private final MemoryBudget budget;
        private final long bytes;
        private boolean closed;

        private Lease(MemoryBudget budget, long bytes) {
            this.budget = budget;
            this.bytes = bytes;
        }

        public long bytes() {
            return bytes;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            budget.release(bytes);
        }
    }
}
