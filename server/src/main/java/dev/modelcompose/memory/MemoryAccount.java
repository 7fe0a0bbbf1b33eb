package dev.modelcompose.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * What one run has reserved from a {@link MemoryBudget}. The HTTP layer may reserve a run's estimated cost before the
 * run exists ({@link #prepay}); the run's own reservations (at each decode and upscale) draw on that first, so work
 * admitted up front is not counted twice. Everything goes back when the run ends ({@link #close}). Thread-safe.
 */
public final class MemoryAccount implements AutoCloseable {
    private final MemoryBudget budget;
    private final List<MemoryBudget.Lease> leases = new ArrayList<>();
    private long credit;
    private boolean closed;

    public MemoryAccount(MemoryBudget budget) {
        this.budget = budget;
    }

    /** An account on a budget without a limit: the command line, which has no other requests to protect. */
    public static MemoryAccount unlimited() {
        return new MemoryAccount(new MemoryBudget(Long.MAX_VALUE));
    }

    /** Adds memory reserved before the run started; later {@link #reserve} calls use it first. */
    public synchronized void prepay(MemoryBudget.Lease lease) {
        if (closed) {
            lease.close();
            return;
        }
        leases.add(lease);
        credit += lease.bytes();
    }

    /** Reserves {@code bytes} for the rest of the run. @throws TooLargeException @throws MemoryBusyException */
    public synchronized void reserve(long bytes, String what) {
        if (bytes <= credit) {
            credit -= bytes;
            return;
        }
        MemoryBudget.Lease more = budget.reserve(bytes - credit, what);
        credit = 0;
        if (closed) more.close();
        else leases.add(more);
    }

    /** The budget the account draws on (for messages). */
    public MemoryBudget budget() {
        return budget;
    }

    @Override
    public synchronized void close() {
        closed = true;
        leases.forEach(MemoryBudget.Lease::close);
        leases.clear();
        credit = 0;
    }
}
