package dev.modelcompose.upscale;

import java.util.Objects;

/**
 * An 8-bit interleaved image in memory: 1 channel = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA,
 * rows top to bottom without padding.
 */
public record PixelBuffer(int width, int height, int channels, byte[] pixels) {
    public PixelBuffer {
        Objects.requireNonNull(pixels, "pixels");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        if (channels < 1 || channels > 4) throw new IllegalArgumentException("channels must be 1 to 4, got " + channels);
        if ((long) width * height * channels != pixels.length)
            throw new IllegalArgumentException("expected " + (long) width * height * channels + " bytes for " + width + "x" + height + "x"
                    + channels + ", got " + pixels.length);
    }

    public boolean hasAlpha() {
        return channels == 2 || channels == 4;
    }
}
