package dev.modelcompose.http;

import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.expr.ExpressionException;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.imaging.ImageMemoryException;
import dev.modelcompose.imaging.ImageReadException;
import dev.modelcompose.memory.MemoryBusyException;
import dev.modelcompose.memory.TooLargeException;
import dev.modelcompose.runtime.StoredOutput;
import dev.modelcompose.runtime.Task;
import dev.modelcompose.runtime.TaskStatus;
import dev.modelcompose.upscale.InsufficientMemoryException;
import io.javalin.http.Context;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the API answers about a task (contract 3.4, 3.5): its state JSON, or with {@code output_only} the output
 * itself, streamed from the encoding the run stored; failures with the status their cause calls for.
 */
final class TaskAnswers {
    /** When to retry after a 503 for memory: runs hold their memory for seconds. */
    static final String RETRY_AFTER = "2";

    private final String base;

    /** @param base the API's base path, for {@code output_url} */
    TaskAnswers(String base) {
        this.base = base;
    }

    /** The HTTP status of a failed run: 413 for work too large for the server, 503 when memory ran short (retry), 422 bad input, else 500. */
    static int failureStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TooLargeException) return 413;
            if (t instanceof MemoryBusyException || t instanceof ImageMemoryException || t instanceof InsufficientMemoryException
                    || t instanceof OutOfMemoryError) return 503;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause())
            if (t instanceof ImageReadException || t instanceof ExpressionException) return 422;
        return 500;
    }

    private static void retryAfterIfBusy(Context ctx, int status) {
        if (status == 503) ctx.header("Retry-After", RETRY_AFTER);
    }

    /** The output itself (contract 3.5), streamed from its stored encoding; or the state while it runs, 409 cancelled, an error. */
    void outputOnly(Context ctx, Task task) throws IOException {
        switch (task.status()) {
            case CANCELLED -> ComposeServer.json(ctx, 409, state(task, false, false));
            case FAILED -> {
                int status = failureStatus(task.failure());
                retryAfterIfBusy(ctx, status);
                ComposeServer.json(ctx, status, Map.of("detail", task.error() == null ? "failed" : task.error()));
            }
            case COMPLETED -> {
                Object out = task.output();
                if (out instanceof ByteSource b) {
                    InputStream in;
                    try {
                        in = b.open();
                    } catch (StoredOutput.OutputGoneException e) {
                        ComposeServer.json(ctx, 410, Map.of("detail", gone(task)));
                        return;
                    }
                    try (in) {
                        ctx.status(200).contentType(b.mediaType()).header("Cache-Control", "no-cache");
                        if (b instanceof StoredOutput s) ctx.res().setContentLengthLong(s.size());
                        if (b.filename() != null) ctx.header("Content-Disposition", "attachment; filename=\"" + b.filename().replace("\"", "") + "\"");
                        in.transferTo(ctx.outputStream());
                    }
                } else if (out instanceof BufferedImage img) {
                    ctx.status(200).contentType("image/png").header("Cache-Control", "no-cache");
                    ImageFiles.encode(img, ImageFormat.PNG, ctx.outputStream());
                } else if (out instanceof byte[] bytes) {
                    ctx.status(200).contentType("application/octet-stream").header("Cache-Control", "no-cache").result(bytes);
                } else {
                    writeJson(ctx, 200, out, task);
                }
            }
            default -> ComposeServer.json(ctx, 202, state(task, false, false));
        }
    }

    /** The state JSON; a run that failed for memory answers 503 with Retry-After (it may succeed when retried). */
    void state(Context ctx, Task task, boolean inline) throws IOException {
        int status = 200;
        if (task.status() == TaskStatus.FAILED && failureStatus(task.failure()) == 503) {
            status = 503;
            retryAfterIfBusy(ctx, status);
        }
        writeJson(ctx, status, state(task, false, inline), task);
    }

    /** JSON with any images and files streamed as base64 from their stored encoding. */
    private void writeJson(Context ctx, int status, Object value, Task task) throws IOException {
        if (TaskJson.binaryBytes(value) == 0) {
            ComposeServer.json(ctx, status, value);
            return;
        }
        ctx.status(status).contentType("application/json");
        try {
            TaskJson.write(ctx.outputStream(), value);
        } catch (StoredOutput.OutputGoneException e) {
            if (ctx.res().isCommitted()) throw e;
            ctx.res().resetBuffer();
            ComposeServer.json(ctx, 410, Map.of("detail", gone(task)));
        }
    }

    private static String gone(Task task) {
        return "The output of task '" + task.id() + "' is no longer kept: finished outputs are kept within the http-server adapter's "
                + "output_memory and output_disk, the oldest forgotten first; run the workflow again";
    }

    static boolean isBinary(Object o) {
        return o instanceof BufferedImage || o instanceof ByteSource || o instanceof byte[];
    }

    /**
     * Task state JSON (contract 3.4), null fields omitted. A completed output that holds images or bytes is carried
     * inline (base64) when {@code inline}, and is always reachable at {@code output_url}.
     */
    Map<String, Object> state(Task task, boolean submitted, boolean inline) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task_id", task.id());
        m.put("status", submitted ? "pending" : task.status().wireName());
        m.put("workflow_id", task.workflowId());
        if (!submitted && task.status() == TaskStatus.COMPLETED && task.output() != null) {
            boolean binary = TaskJson.binaryBytes(task.output()) > 0;
            if (inline || !binary) m.put("output", task.output());
            if (binary) m.put("output_url", base + "/tasks/" + task.id() + "?output_only=true");
        }
        if (!submitted && task.error() != null) m.put("error", task.error());
        if (task.sessionId() != null) m.put("session_id", task.sessionId());
        if (task.metadata() != null) m.put("metadata", task.metadata());
        return m;
    }
}
