package dev.modelcompose.memory;

import dev.modelcompose.imaging.ImageFormat;

/**
 * What an image costs in Java heap at each step of a run, from its size alone (known from the header before anything
 * is decoded), and the largest output one image can be. The estimates err on the high side: admitting too little
 * work wastes some memory, admitting too much fills the heap.
 */
public final class ImageCosts {
    /** Java arrays hold at most about 2^31 elements; the runner's pixel buffer is one byte array. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 16;
    /** How much of an encoded output stays in memory while it is written; the rest goes to a file. */
    public static final long ENCODE_IN_MEMORY = 64L << 20;

    private ImageCosts() {}

    /** Decoding: the image at 4 bytes a pixel, and a converted copy (orientation, colour model) while it is made. */
    public static long decode(long width, long height) {
        return 8 * width * height;
    }

    /**
     * Upscaling: the input as the runner's pixel buffer (up to 4 bytes a pixel), then the result as a pixel buffer and as
     * an image, which exist together while one is converted into the other (8 bytes an output pixel).
     */
    public static long upscale(long width, long height, int scale) {
        long pixels = width * height;
        return 4 * pixels + 8 * pixels * scale * scale;
    }

    /** Encoding the output once: the encoder's rows and the part of the encoded file kept in memory (copied once when done). */
    public static long encode(long outWidth, long outHeight) {
        return 2 * Math.min(ENCODE_IN_MEMORY, 4 * outWidth * outHeight) + (1 << 20);
    }

    /** A whole run on one image: decode, upscale by {@code scale}, encode the result. */
    public static long run(long width, long height, int scale) {
        return decode(width, height) + upscale(width, height, scale) + encode(width * scale, height * scale);
    }

    /**
     * Refuses an output that cannot be made as one image: more pixels than the runner's buffer of {@code channels}
     * bytes a pixel holds, or more pixels a side than {@code format} stores (null: no format constraint).
     *
     * @throws TooLargeException saying the largest input that fits at this scale
     */
    public static void checkOutput(int width, int height, int scale, int channels, ImageFormat format) {
        long outW = (long) width * scale, outH = (long) height * scale;
        String output = "the output would be " + outW + "x" + outH + " (" + Sizes.megapixels(outW * outH) + ")";
        long maxOutPixels = MAX_ARRAY / Math.max(1, channels);
        if (outW * outH > maxOutPixels) {
            double maxIn = maxOutPixels / (double) scale / scale;
            long side = (long) Math.floor(Math.sqrt(maxIn));
            throw new TooLargeException(output + ", but one image holds at most " + Sizes.megapixels(maxOutPixels) + " of "
                    + channelsName(channels) + ": at x" + scale + " the input may have at most " + Sizes.megapixels(maxIn) + " (e.g. "
                    + side + "x" + side + "); split the image into parts first");
        }
        if (format != null && (outW > format.maxSide() || outH > format.maxSide())) {
            long maxIn = format.maxSide() / scale;
            throw new TooLargeException(output + ", but " + format.label() + " stores at most " + format.maxSide() + " pixels a side: at x"
                    + scale + " the input may be at most " + maxIn + " pixels a side; use PNG"
                    + (format == ImageFormat.PNG ? "" : " (as image/png)") + " or split the image first");
        }
    }

    private static String channelsName(int channels) {
        return switch (channels) {
            case 1 -> "gray";
            case 2 -> "gray with alpha";
            case 3 -> "RGB";
            default -> "RGBA";
        };
    }
}
