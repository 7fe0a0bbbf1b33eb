package dev.modelcompose.compose;

import java.time.Duration;

/**
 * The {@code http-server} adapter's protections against slow clients and large work, each with a default that a
 * server on one machine can live with.
 *
 * @param minUploadRate        {@code min_upload_rate}: a request body must arrive at least this fast (bytes a
 *                             second, averaged from the end of the headers after a {@link #UPLOAD_RATE_GRACE}); 0 = off
 * @param uploadTimeout        {@code upload_timeout}: the whole body must have arrived within this long
 * @param maxConcurrentUploads {@code max_concurrent_uploads}: request bodies read at once; more answer 503 with
 *                             Retry-After
 * @param cancelOnDisconnect   {@code cancel_on_disconnect}: a run whose waiting client went away is cancelled
 * @param memoryBudget         {@code memory_budget}: Java heap bytes that runs in flight may use together (decoded
 *                             images, upscaled results); 0 = half the maximum heap
 * @param outputMemory         {@code output_memory}: encoded outputs of finished tasks kept in memory; 0 = an
 *                             eighth of the maximum heap
 * @param outputDisk           {@code output_disk}: encoded outputs of finished tasks kept on disk once memory is full
 * @param inlineOutputLimit    {@code inline_output_limit}: {@code GET /tasks/{id}} carries an output in its JSON up
 *                             to this many encoded bytes; larger ones only by {@code output_url} (or when asked with
 *                             {@code include_output=true})
 * @param maxImagePixels       {@code max_image_pixels}: larger input images are refused before they are decoded
 */
public record HttpLimits(long minUploadRate, Duration uploadTimeout, int maxConcurrentUploads, boolean cancelOnDisconnect,
                         long memoryBudget, long outputMemory, long outputDisk, long inlineOutputLimit, long maxImagePixels) {
    /** How long a body may start slowly before {@link #minUploadRate} applies (TCP slow start, a client's first write). */
    public static final Duration UPLOAD_RATE_GRACE = Duration.ofSeconds(5);

    public static HttpLimits defaults() {
        return new HttpLimits(10 << 10, Duration.ofMinutes(15), 64, true, 0, 0, 4L << 30, 1 << 20, 100_000_000L);
    }

    /** {@link #memoryBudget} in bytes, with the default resolved against the maximum heap. */
    public long memoryBudgetBytes() {
        return memoryBudget > 0 ? memoryBudget : Runtime.getRuntime().maxMemory() / 2;
    }

    /** {@link #outputMemory} in bytes, with the default resolved against the maximum heap. */
    public long outputMemoryBytes() {
        return outputMemory > 0 ? outputMemory : Runtime.getRuntime().maxMemory() / 8;
    }
}
