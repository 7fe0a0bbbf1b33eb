package dev.modelcompose.upscale;

/**
 * How one upscale call processes its image; a loaded {@link Model} takes any options on every call. Immutable; the
 * {@code with*} methods return changed copies.
 *
 * @param tileSize       input pixels per tile side; 0 picks the largest that fits the memory budget of the first device
 * @param tilePad        real neighbouring pixels each tile also reads on every side; -1 derives it from
 *                       the model's receptive field so that tiles join without seams
 * @param prePad         mirrored padding around the image border, in input pixels (the official binary uses 10)
 * @param tta            average the 8 flips and transposes of the input (8x slower, slightly cleaner)
 * @param threads        CPU threads; 0 uses every core
 * @param memoryBudgetMb memory a tile may use; 0 uses half the available memory (at most 4 GiB), or on a GPU 3/4 of its free memory
 */
public record UpscaleOptions(int tileSize, int tilePad, int prePad, boolean tta, int threads, long memoryBudgetMb) {
    public UpscaleOptions {
        if (tileSize != 0 && tileSize < 32) throw new IllegalArgumentException("tile size must be 0 (automatic) or at least 32, got " + tileSize);
        if (tilePad < -1) throw new IllegalArgumentException("tile pad must be -1 (automatic) or at least 0, got " + tilePad);
        if (prePad < 0) throw new IllegalArgumentException("pre-pad must be at least 0, got " + prePad);
        if (threads < 0) throw new IllegalArgumentException("threads must be at least 0, got " + threads);
        if (memoryBudgetMb < 0) throw new IllegalArgumentException("memory budget must be at least 0, got " + memoryBudgetMb);
    }

    /** Automatic tile and halo, a 10-pixel pre-pad, no TTA, every core, the default memory budget. */
    public static UpscaleOptions defaults() {
        return new UpscaleOptions(0, -1, 10, false, 0, 0);
    }

    public UpscaleOptions withTileSize(int value) {
        return new UpscaleOptions(value, tilePad, prePad, tta, threads, memoryBudgetMb);
    }

    public UpscaleOptions withTilePad(int value) {
        return new UpscaleOptions(tileSize, value, prePad, tta, threads, memoryBudgetMb);
    }

    public UpscaleOptions withPrePad(int value) {
        return new UpscaleOptions(tileSize, tilePad, value, tta, threads, memoryBudgetMb);
    }

    public UpscaleOptions withTta(boolean value) {
        return new UpscaleOptions(tileSize, tilePad, prePad, value, threads, memoryBudgetMb);
    }

    public UpscaleOptions withThreads(int value) {
        return new UpscaleOptions(tileSize, tilePad, prePad, tta, value, memoryBudgetMb);
    }

    public UpscaleOptions withMemoryBudgetMb(long value) {
        return new UpscaleOptions(tileSize, tilePad, prePad, tta, threads, value);
    }
}
