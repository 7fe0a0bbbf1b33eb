package dev.modelcompose.upscale;

import java.util.Locale;

/**
 * How a device stores and multiplies.
 *
 * <p>On a Vulkan device: storage of activations and weights; arithmetic and accumulation are fp32 either way. fp16
 * storage halves the memory traffic and the buffers, at about 3 significant decimal digits per stored value and a range of
 * ±65504 (the Real-ESRGAN models stay within ±1 of fp32 on 8-bit output).
 *
 * <p>On the CPU: fp32 everywhere (our Winograd kernels keep real models within ±1 of an fp32 reference), or, with
 * {@link #BF16}, bf16 products with fp32 sums where the CPU multiplies bf16 fast enough to gain by it.
 */
public enum Precision {
    /**
     * Vulkan: fp16 storage on GPUs with 16-bit storage buffers, fp32 on software (CPU) Vulkan devices and GPUs without
     * them. CPU: the fastest fp32-grade path.
     */
    AUTO,
    /** fp32 storage and arithmetic. */
    FP32,
    /** Vulkan: fp16 blobs and weights; fails on a device without 16-bit storage buffers. The CPU computes in fp32. */
    FP16,
    /**
     * CPU, opt-in: the 3x3 convolutions' products in bf16, sums in fp32, where that is faster than fp32 (CPUs with AMX:
     * oneDNN on the tiles). Measured with realesrgan-x4plus on two real photos: 51.8-54.4 dB PSNR against fp32, 98.3-99.97 %
     * of 8-bit values within ±1 (PyTorch's bf16 autocast: 49.2 dB, 91.6 %). On CPUs without AMX the fp32 kernels are the
     * faster ones, and run. Vulkan devices refuse it.
     */
    BF16;

    /** The code of the native API (0 auto, 1 fp32, 2 fp16, 3 bf16). */
    int code() {
        return ordinal();
    }

    static Precision ofCode(int code) {
        return values()[code];
    }

    /** Parses {@code auto}, {@code fp32}, {@code fp16} or {@code bf16} (any case). */
    public static Precision parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("precision must be auto, fp32, fp16 or bf16, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
