package dev.modelcompose.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Test images, all generated: the repository holds no binary fixtures. */
final class TestImages {
    private TestImages() {}

    /** Smooth gradients with a little noise and a few hard edges: photo-like enough for JPEG. */
    static BufferedImage rgb(int w, int h, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = clamp(x * 255 / Math.max(1, w - 1) + random.nextInt(5) - 2);
                int g = clamp(y * 255 / Math.max(1, h - 1) + random.nextInt(5) - 2);
                int b = (x / 8 + y / 8) % 2 == 0 ? 40 : 200;
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    /** Random colours and alphas, including fully transparent and fully opaque pixels. */
    static BufferedImage argb(int w, int h, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = x % 4 == 0 ? 0 : x % 4 == 1 ? 255 : random.nextInt(256);
                image.setRGB(x, y, a << 24 | random.nextInt(1 << 24));
            }
        }
        return image;
    }

    static BufferedImage gray(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) raster.setSample(x, y, 0, (x * 7 + y * 3) % 256);
        return image;
    }

    /** A 16-bit-per-sample image (gray, RGB, with or without alpha) whose 8-bit reduction is {@code expect8(x, y, band)}. */
    static BufferedImage sixteenBit(int w, int h, boolean gray, boolean alpha) {
        ColorSpace cs = ColorSpace.getInstance(gray ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        ComponentColorModel cm = new ComponentColorModel(cs, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < raster.getNumBands(); b++) raster.setSample(x, y, b, Math.min(65535, expect8(x, y, b) * 257 + 100));
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    static int expect8(int x, int y, int band) {
        return (x * 13 + y * 5 + band * 71) % 256;
    }

    static byte[] imageIo(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
        return out.toByteArray();
    }

    /** A 4-channel (CMYK) JPEG, which the JDK's writer makes from a raster. */
    static byte[] cmykJpeg(int w, int h) throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) raster.setPixel(x, y, new int[] {x * 4 % 256, y * 4 % 256, 0, 30});
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** An 8-bit palette image with four entries, one fully and one half transparent. */
    static BufferedImage paletteWithAlpha(int w, int h) {
        byte[] r = {(byte) 255, 0, 0, (byte) 250};
        byte[] g = {0, (byte) 255, 0, (byte) 250};
        byte[] b = {0, 0, (byte) 255, 10};
        byte[] a = {0, (byte) 128, (byte) 255, (byte) 255};
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 4, r, g, b, a));
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) image.getRaster().setSample(x, y, 0, (x + y) % 4);
        return image;
    }

    // ------------------------------------------------------------------------------------------ hand-made PNGs

    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

    static byte[] pngChunk(String type, byte[] data) {
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
        chunk.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + data.length);
        chunk.putInt((int) crc.getValue());
        return chunk.array();
    }

    static byte[] ihdr(int width, int height, int bitDepth, int colorType) {
        return pngChunk("IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) out.writeBytes(part);
        return out.toByteArray();
    }

    static void assertSameRgb(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth(), "width");
        assertEquals(expected.getHeight(), actual.getHeight(), "height");
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int e = expected.getRGB(x, y), a = actual.getRGB(x, y);
                if (e != a) {
                    throw new AssertionError(String.format("pixel (%d,%d): expected %08x, got %08x", x, y, e, a));
                }
            }
        }
    }

    static void assertSameSamples(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth(), "width");
        assertEquals(expected.getHeight(), actual.getHeight(), "height");
        assertEquals(expected.getRaster().getNumBands(), actual.getRaster().getNumBands(), "bands");
        int w = expected.getWidth();
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int b = 0; b < expected.getRaster().getNumBands(); b++) {
                int[] e = expected.getRaster().getSamples(0, y, w, 1, b, (int[]) null);
                int[] a = actual.getRaster().getSamples(0, y, w, 1, b, (int[]) null);
                for (int x = 0; x < w; x++) {
                    if (e[x] != a[x]) throw new AssertionError("sample (" + x + "," + y + ") band " + b + ": expected " + e[x] + ", got " + a[x]);
                }
            }
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
