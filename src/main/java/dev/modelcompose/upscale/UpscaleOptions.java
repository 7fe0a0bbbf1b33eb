package dev.modelcompose.upscale;

/**
 * How an image is processed. Immutable; the {@code with*} methods return changed copies.
 *
 * @param devices        compute devices: -1 is the CPU, 0.. a Vulkan device ({@link GpuDevices#list()}); with several,
 *                       the tiles of each image are spread over all of them
 * @param tileSize       input pixels per tile side; 0 picks the largest that fits the memory budget
 * @param tilePad        real neighbouring pixels each tile also reads on every side; -1 derives it from
 *                       the model's receptive field so that tiles join without seams
 * @param prePad         mirrored padding around the image border, in input pixels (the official binary uses 10)
 * @param tta            average the 8 flips and transposes of the input (8x slower, slightly cleaner)
 * @param threads        CPU threads; 0 uses every core
 * @param memoryBudgetMb memory a tile may use; 0 uses half the available memory, at most 4 GiB
 * @param precision      how Vulkan devices store activations and weights (fp32 arithmetic either way)
 */
public record UpscaleOptions(int[] devices, int tileSize, int tilePad, int prePad, boolean tta, int threads, long memoryBudgetMb,
                             Precision precision) {
    public static final int CPU = -1;

    public UpscaleOptions {
        if (devices == null || devices.length == 0) throw new IllegalArgumentException("at least one device is needed");
        devices = devices.clone();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int device : devices) {
            if (device < CPU || device > 62)
                throw new IllegalArgumentException("device must be -1 (CPU) or a GPU index (0, 1, ...), got " + device);
            if (!seen.add(device)) throw new IllegalArgumentException("device " + device + " is listed twice");
        }
        if (tileSize != 0 && tileSize < 32) throw new IllegalArgumentException("tile size must be 0 (automatic) or at least 32, got " + tileSize);
        if (tilePad < -1) throw new IllegalArgumentException("tile pad must be -1 (automatic) or at least 0, got " + tilePad);
        if (prePad < 0) throw new IllegalArgumentException("pre-pad must be at least 0, got " + prePad);
        if (threads < 0) throw new IllegalArgumentException("threads must be at least 0, got " + threads);
        if (memoryBudgetMb < 0) throw new IllegalArgumentException("memory budget must be at least 0, got " + memoryBudgetMb);
        if (precision == null) throw new IllegalArgumentException("precision must not be null");
    }

    public static UpscaleOptions defaults() {
        return new UpscaleOptions(new int[] {CPU}, 0, -1, 10, false, 0, 0, Precision.AUTO);
    }

    /** The first (with one device, the only) device. */
    public int device() {
        return devices[0];
    }

    @Override
    public int[] devices() {
        return devices.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpscaleOptions u && java.util.Arrays.equals(devices, u.devices) && tileSize == u.tileSize && tilePad == u.tilePad
                && prePad == u.prePad && tta == u.tta && threads == u.threads && memoryBudgetMb == u.memoryBudgetMb && precision == u.precision;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(java.util.Arrays.hashCode(devices), tileSize, tilePad, prePad, tta, threads, memoryBudgetMb, precision);
    }

    @Override
    public String toString() {
        return "UpscaleOptions[devices=" + java.util.Arrays.toString(devices) + ", tileSize=" + tileSize + ", tilePad=" + tilePad
                + ", prePad=" + prePad + ", tta=" + tta + ", threads=" + threads + ", memoryBudgetMb=" + memoryBudgetMb + ", precision=" + precision + "]";
    }

    public UpscaleOptions withDevices(int... value) {
        return new UpscaleOptions(value, tileSize, tilePad, prePad, tta, threads, memoryBudgetMb, precision);
    }

    public UpscaleOptions withDevice(int value) {
        return new UpscaleOptions(new int[] {value}, tileSize, tilePad, prePad, tta, threads, memoryBudgetMb, precision);
    }

    public UpscaleOptions withTileSize(int value) {
        return new UpscaleOptions(devices, value, tilePad, prePad, tta, threads, memoryBudgetMb, precision);
    }

    public UpscaleOptions withTilePad(int value) {
        return new UpscaleOptions(devices, tileSize, value, prePad, tta, threads, memoryBudgetMb, precision);
    }

    public UpscaleOptions withPrePad(int value) {
        return new UpscaleOptions(devices, tileSize, tilePad, value, tta, threads, memoryBudgetMb, precision);
    }

    public UpscaleOptions withTta(boolean value) {
        return new UpscaleOptions(devices, tileSize, tilePad, prePad, value, threads, memoryBudgetMb, precision);
    }

    public UpscaleOptions withThreads(int value) {
        return new UpscaleOptions(devices, tileSize, tilePad, prePad, tta, value, memoryBudgetMb, precision);
    }

    public UpscaleOptions withMemoryBudgetMb(long value) {
        return new UpscaleOptions(devices, tileSize, tilePad, prePad, tta, threads, value, precision);
    }

    public UpscaleOptions withPrecision(Precision value) {
        return new UpscaleOptions(devices, tileSize, tilePad, prePad, tta, threads, memoryBudgetMb, value);
    }
}
