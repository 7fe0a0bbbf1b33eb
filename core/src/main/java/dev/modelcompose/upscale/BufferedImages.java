package dev.modelcompose.upscale;

import java.awt.image.BufferedImage;

/** Conversions between {@link BufferedImage} and {@link PixelBuffer}, keeping gray and alpha as they are. */
public final class BufferedImages {
    private BufferedImages() {}

    /** 8-bit pixels of any image: gray stays gray (1 or 2 channels), colour becomes RGB or RGBA. */
    public static PixelBuffer toPixels(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        boolean alpha = image.getColorModel().hasAlpha();
        boolean gray = image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
        int channels = (gray ? 1 : 3) + (alpha ? 1 : 0);
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), channels)];
        int[] row = new int[w];
        if (gray && !alpha) {
            // getRGB would apply the gray colour space's gamma; read the samples directly.
            var raster = image.getRaster();
            int bits = image.getColorModel().getComponentSize(0);
            int[] samples = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, samples);
                for (int x = 0; x < w; x++) out[y * w + x] = (byte) (bits == 8 ? samples[x] : Math.round(samples[x] * 255.0 / ((1 << bits) - 1)));
            }
            return new PixelBuffer(w, h, 1, out);
        }
        int i = 0;
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                if (gray) {
                    out[i++] = (byte) (argb >> 16);
                } else {
                    out[i++] = (byte) (argb >> 16);
                    out[i++] = (byte) (argb >> 8);
                    out[i++] = (byte) argb;
                }
                if (alpha) out[i++] = (byte) (argb >>> 24);
            }
        }
        return new PixelBuffer(w, h, channels, out);
    }

    /** An image of the pixels: TYPE_BYTE_GRAY, TYPE_INT_RGB or TYPE_INT_ARGB. */
    public static BufferedImage fromPixels(PixelBuffer pixels, BufferedImage like) {
        int w = pixels.width(), h = pixels.height(), c = pixels.channels();
        byte[] p = pixels.pixels();
        if (c == 1) {
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            out.getRaster().setDataElements(0, 0, w, h, p);
            return out;
        }
        BufferedImage out = new BufferedImage(w, h, pixels.hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        int i = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r, g, b, a = 255;
                if (c <= 2) {
                    r = g = b = p[i++] & 0xFF;
                } else {
                    r = p[i++] & 0xFF;
                    g = p[i++] & 0xFF;
                    b = p[i++] & 0xFF;
                }
                if (pixels.hasAlpha()) a = p[i++] & 0xFF;
                row[x] = a << 24 | r << 16 | g << 8 | b;
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }
}
