package dev.modelcompose.upscale;

import java.util.Random;

/** Deterministic test images with edges, gradients and noise, so every part of a model is exercised. */
final class SyntheticImages {
    private SyntheticImages() {}

    static PixelBuffer rgb(int width, int height, long seed) {
        return make(width, height, 3, seed);
    }

    static PixelBuffer rgba(int width, int height, long seed) {
        return make(width, height, 4, seed);
    }

    static PixelBuffer make(int width, int height, int channels, long seed) {
        Random random = new Random(seed);
        byte[] p = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * channels;
                int r = (int) (127 + 127 * Math.sin(x / 7.0 + seed));
                int g = (int) (127 + 127 * Math.cos(y / 5.0));
                int b = ((x ^ y) * 3 + random.nextInt(16)) & 0xFF;
                if (channels >= 3) {
                    p[i] = (byte) r;
                    p[i + 1] = (byte) g;
                    p[i + 2] = (byte) b;
                } else {
                    p[i] = (byte) ((r + g + b) / 3);
                }
                if (channels == 2 || channels == 4) {
                    double d = Math.hypot(x - width / 2.0, y - height / 2.0) / Math.max(width, height);
                    p[i + channels - 1] = (byte) (d < 0.3 ? 255 : d < 0.45 ? 128 : 0);
                }
            }
        return new PixelBuffer(width, height, channels, p);
    }
}
