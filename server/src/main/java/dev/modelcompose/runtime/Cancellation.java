package dev.modelcompose.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Cooperative cancellation of one task: steps check it, long native calls register a hook that stops them. */
public final class Cancellation {
    private volatile boolean cancelled;
    private final List<Runnable> hooks = new CopyOnWriteArrayList<>();

    public void cancel() {
        cancelled = true;
        for (Runnable h : hooks) h.run();
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public void throwIfCancelled() {
        if (cancelled) throw new TaskCancelledException();
    }

    /** Runs {@code hook} on cancel (at once if already cancelled) until the returned handle is closed. */
    public AutoCloseable onCancel(Runnable hook) {
        hooks.add(hook);
        if (cancelled) hook.run();
        return () -> hooks.remove(hook);
    }
}
