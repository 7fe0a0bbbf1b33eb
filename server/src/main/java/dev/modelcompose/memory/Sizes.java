package dev.modelcompose.memory;

import java.util.Locale;

/** Byte counts and pixel counts as people read them. */
public final class Sizes {
    private Sizes() {}

    /** {@code 12.3 MiB}, {@code 2.0 GiB}. */
    public static String mib(long bytes) {
        if (bytes >= 10L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** {@code 44.7 megapixels}. */
    public static String megapixels(double pixels) {
        return String.format(Locale.ROOT, "%.1f megapixels", pixels / 1e6);
    }
}
