package dev.modelcompose.upscale;

import java.util.Locale;

/**
 * How a Vulkan device stores activations and weights. Arithmetic and accumulation are fp32 either way;
 * fp16 storage halves the memory traffic and the buffers, at about 3 significant decimal digits per
 * stored value and a range of ±65504 (the Real-ESRGAN models stay within ±1 of fp32 on 8-bit output).
 * The CPU always computes in fp32.
 */
public enum Precision {
    /** fp16 on GPUs with 16-bit storage buffers, fp32 on software (CPU) Vulkan devices and GPUs without them. */
    AUTO,
    /** fp32 blobs and weights. */
    FP32,
    /** fp16 blobs and weights; fails on a device without 16-bit storage buffers. */
    FP16;

    /** The code of the native API (0 auto, 1 fp32, 2 fp16). */
    int code() {
        return ordinal();
    }

    static Precision ofCode(int code) {
        return values()[code];
    }

    /** Parses {@code auto}, {@code fp32} or {@code fp16} (any case). */
    public static Precision parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("precision must be auto, fp32 or fp16, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
