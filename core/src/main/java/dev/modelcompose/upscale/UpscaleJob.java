package dev.modelcompose.upscale;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Watches and controls one {@link Model#upscale} call: progress reports while it runs and
 * {@link #cancel()} from any thread. A job is used for one call.
 */
public final class UpscaleJob {
    /** A progress report: the fraction of the work done and the tiles finished. */
    public record Progress(double fraction, int tilesDone, int tilesTotal) {}

    private final Consumer<Progress> listener;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Runnable cancelHook = () -> {};
    private volatile java.util.Map<Integer, Integer> deviceTiles = java.util.Map.of();

    public UpscaleJob() {
        this(p -> {});
    }

    public UpscaleJob(Consumer<Progress> listener) {
        this.listener = listener;
    }

    /** Stops the job at the next layer boundary; the upscale call then throws {@link UpscaleCancelledException}. */
    public void cancel() {
        cancelled.set(true);
        cancelHook.run();
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    void attach(Runnable nativeCancel) {
        cancelHook = nativeCancel;
        if (cancelled.get()) nativeCancel.run();
    }

    /** Tiles each device finished (-1 = CPU, 0.. = Vulkan devices), known once the upscale returns. */
    public java.util.Map<Integer, Integer> deviceTiles() {
        return deviceTiles;
    }

    private volatile java.util.List<String> warnings = java.util.List.of();

    /** Warnings of the upscale (a GPU failed and the CPU finished its tiles, a tile was retried smaller), once it returns. */
    public java.util.List<String> warnings() {
        return warnings;
    }

    void warnings(String text) {
        warnings = text.isEmpty() ? java.util.List.of() : java.util.List.of(text.split("\n"));
    }

    void deviceTiles(java.util.Map<Integer, Integer> tiles) {
        deviceTiles = java.util.Map.copyOf(tiles);
    }

    void report(Progress progress) {
        listener.accept(progress);
    }
}
