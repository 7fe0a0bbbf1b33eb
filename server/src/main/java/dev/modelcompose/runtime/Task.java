package dev.modelcompose.runtime;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One workflow run: what {@code POST /workflows/runs} creates and {@code GET /tasks/{id}} reports. Thread-safe.
 */
public final class Task {
    private final String id;
    private final String workflowId;
    private final String sessionId;
    private final Object metadata;
    private final Cancellation cancellation = new Cancellation();
    private final CompletableFuture<Object> done = new CompletableFuture<>();
    private final Instant createdAt = Instant.now();
    private volatile TaskStatus status = TaskStatus.PENDING;
    private volatile Object output;
    private volatile Throwable failure;
    private volatile Instant finishedAt;
    private volatile Future<?> execution;

    Task(String id, String workflowId, String sessionId, Object metadata) {
        this.id = id;
        this.workflowId = workflowId;
        this.sessionId = sessionId;
        this.metadata = metadata;
    }

    public String id() {
        return id;
    }

    public String workflowId() {
        return workflowId;
    }

    public String sessionId() {
        return sessionId;
    }

    public Object metadata() {
        return metadata;
    }

    public TaskStatus status() {
        return status;
    }

    /** The workflow's output once completed (images are {@link java.awt.image.BufferedImage}s), else null. */
    public Object output() {
        return output;
    }

    /** The one-line reason of a failed task, else null. */
    public String error() {
        Throwable f = failure;
        if (f == null) return null;
        return f.getMessage() == null ? f.toString() : f.getMessage();
    }

    /** The exception of a failed task (for stack traces with -v), else null. */
    public Throwable failure() {
        return failure;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** When it reached a terminal state, else null. */
    public Instant finishedAt() {
        return finishedAt;
    }

    /** Completes with the output, or exceptionally with the failure (a {@link TaskCancelledException} when cancelled). */
    public CompletableFuture<Object> completion() {
        return done;
    }

    /**
     * Waits for the end and returns the output.
     *
     * @throws WorkflowException the failure (its message is {@link #error()})
     */
    public Object await() throws InterruptedException {
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof WorkflowException w ? w : new WorkflowException(String.valueOf(e.getCause().getMessage()), e.getCause());
        }
    }

    /** Like {@link #await()} with a limit; false if still running. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            done.get(timeout, unit);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /**
     * Asks the task to stop: a queued task never starts; a running one stops at the next check (between jobs, between
     * tiles of an upscale).
     *
     * @return false when it had already finished or was already being cancelled
     */
    public synchronized boolean cancel() {
        if (status.isTerminal() || status == TaskStatus.CANCELLING) return false;
        if (status == TaskStatus.PENDING) {
            cancellation.cancel();
            Future<?> f = execution;
            if (f != null) f.cancel(false);
            finish(TaskStatus.CANCELLED, null, new TaskCancelledException());
            return true;
        }
        status = TaskStatus.CANCELLING;
        cancellation.cancel();
        return true;
    }

    Cancellation cancellation() {
        return cancellation;
    }

    void execution(Future<?> f) {
        execution = f;
    }

    /** pending -&gt; processing; false when it was cancelled while queued. */
    synchronized boolean begin() {
        if (status != TaskStatus.PENDING) return false;
        status = TaskStatus.PROCESSING;
        return true;
    }

    synchronized void finish(TaskStatus terminal, Object output, Throwable failure) {
        if (status.isTerminal()) return;
        if (status == TaskStatus.CANCELLING && terminal != TaskStatus.COMPLETED) terminal = TaskStatus.CANCELLED;
        this.output = output;
        this.failure = failure;
        this.finishedAt = Instant.now();
        this.status = terminal;
        if (failure == null) done.complete(output);
        else done.completeExceptionally(failure);
    }
}
