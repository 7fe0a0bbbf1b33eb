package dev.modelcompose.imaging;

import static dev.modelcompose.imaging.TestImages.assertSameRgb;
import static dev.modelcompose.imaging.TestImages.assertSameSamples;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ImageFilesRoundTripTest {
    @TempDir
    Path dir;

    private static boolean standard(BufferedImage image) {
        int t = image.getType();
        return t == BufferedImage.TYPE_BYTE_GRAY || t == BufferedImage.TYPE_3BYTE_BGR || t == BufferedImage.TYPE_4BYTE_ABGR
                || t == BufferedImage.TYPE_INT_RGB || t == BufferedImage.TYPE_INT_ARGB;
    }

    @ParameterizedTest
    @EnumSource(value = ImageFormat.class, names = {"PNG", "WEBP"})
    void losslessFormatsRoundTripExactly(ImageFormat format) throws Exception {
        BufferedImage image = TestImages.rgb(97, 61, 1);
        Path file = dir.resolve("out." + format.extension());
        ImageFiles.write(image, file, format);
        BufferedImage back = ImageFiles.read(file);
        assertTrue(standard(back), "type " + back.getType());
        assertFalse(back.getColorModel().hasAlpha());
        assertSameRgb(image, back);
    }

    @Test
    void jpgRoundTripsClosely() throws Exception {
        BufferedImage image = TestImages.rgb(128, 96, 2);
        Path file = dir.resolve("out.jpg");
        ImageFiles.write(image, file, ImageFormat.JPG);
        BufferedImage back = ImageFiles.read(file);
        assertFalse(back.getColorModel().hasAlpha());
        long sum = 0;
        int max = 0;
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 128; x++) {
                int e = image.getRGB(x, y), a = back.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = Math.abs((e >> shift & 0xFF) - (a >> shift & 0xFF));
                    sum += d;
                    max = Math.max(max, d);
                }
            }
        }
        double mean = sum / (128.0 * 96 * 3);
        // Quality 1.0 with 4:4:4 chroma: errors are rounding-sized (4:2:0 would smear the checkerboard's edges).
        assertTrue(mean < 1.0, "mean abs error " + mean);
        assertTrue(max <= 12, "max abs error " + max);
    }

    @Test
    void jpgIsWrittenAtFullQualityWithoutChromaSubsampling() throws Exception {
        byte[] jpg = ImageFiles.encode(TestImages.rgb(32, 32, 3), ImageFormat.JPG);
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(jpg))) {
            reader.setInput(in);
            var tree = reader.getImageMetadata(0).getAsTree("javax_imageio_jpeg_image_1.0");
            var specs = ((javax.imageio.metadata.IIOMetadataNode) tree).getElementsByTagName("componentSpec");
            assertEquals(3, specs.getLength());
            for (int i = 0; i < 3; i++) {
                var spec = (javax.imageio.metadata.IIOMetadataNode) specs.item(i);
                assertEquals("1", spec.getAttribute("HsamplingFactor"));
                assertEquals("1", spec.getAttribute("VsamplingFactor"));
            }
            var tables = ((javax.imageio.metadata.IIOMetadataNode) tree).getElementsByTagName("dqtable");
            int[] first = ((javax.imageio.plugins.jpeg.JPEGQTable) ((javax.imageio.metadata.IIOMetadataNode) tables.item(0)).getUserObject()).getTable();
            for (int q : first) assertEquals(1, q, "quality 1.0 means all-ones quantisation tables");
        } finally {
            reader.dispose();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ImageFormat.class, names = {"PNG", "JPG"})
    void grayStaysGray(ImageFormat format) throws Exception {
        BufferedImage gray = TestImages.gray(64, 40);
        Path file = dir.resolve("gray." + format.extension());
        ImageFiles.write(gray, file, format);
        BufferedImage back = ImageFiles.read(file);
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, back.getType());
        if (format == ImageFormat.PNG) {
            assertSameSamples(gray, back);
        } else {
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 64; x++) {
                    int d = Math.abs(gray.getRaster().getSample(x, y, 0) - back.getRaster().getSample(x, y, 0));
                    assertTrue(d <= 3, "gray JPEG sample off by " + d);
                }
            }
        }
    }

    @Test
    void grayInWebpIsStoredAsRgbWithTheSameLevels() throws Exception {
        BufferedImage gray = TestImages.gray(30, 20);
        BufferedImage back = ImageFiles.read(ImageFiles.encode(gray, ImageFormat.WEBP), "gray.webp");
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                int v = gray.getRaster().getSample(x, y, 0);
                // The samples themselves, not Java2D's linear-gray-to-sRGB brightening of them.
                assertEquals(0xFF000000 | v * 0x010101, back.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void alphaIsKeptInPng() throws Exception {
        BufferedImage image = TestImages.argb(41, 23, 4);
        Path file = dir.resolve("alpha.png");
        ImageFiles.write(image, file, ImageFormat.PNG);
        BufferedImage back = ImageFiles.read(file);
        assertTrue(back.getColorModel().hasAlpha());
        assertFalse(back.getColorModel().isAlphaPremultiplied());
        assertSameRgb(image, back);
    }

    @Test
    void alphaIsKeptInWebp() throws Exception {
        BufferedImage image = TestImages.argb(41, 23, 5);
        Path file = dir.resolve("alpha.webp");
        ImageFiles.write(image, file, ImageFormat.WEBP);
        BufferedImage back = ImageFiles.read(file);
        assertTrue(back.getColorModel().hasAlpha());
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 41; x++) {
                int e = image.getRGB(x, y), a = back.getRGB(x, y);
                assertEquals(e >>> 24, a >>> 24, "alpha at " + x + "," + y);
                // libwebp (no "exact" option in webp-imageio) may rewrite the colour of fully transparent pixels.
                if (e >>> 24 != 0) assertEquals(e, a, "pixel at " + x + "," + y);
            }
        }
    }

    @Test
    void jpgDropsAlpha() throws Exception {
        BufferedImage image = TestImages.argb(16, 16, 6);
        BufferedImage back = ImageFiles.read(ImageFiles.encode(image, ImageFormat.JPG), "x.jpg");
        assertFalse(back.getColorModel().hasAlpha());
        assertEquals(3, back.getRaster().getNumBands());
    }

    @Test
    void sixteenBitRgbPngBecomesEightBit() throws Exception {
        for (boolean alpha : new boolean[] {false, true}) {
            byte[] png = TestImages.imageIo(TestImages.sixteenBit(20, 10, false, alpha), "png");
            assertEquals(16, png[24], "the test file really is 16-bit");
            BufferedImage back = ImageFiles.read(png, "deep.png");
            assertTrue(standard(back), "type " + back.getType());
            assertEquals(alpha, back.getColorModel().hasAlpha());
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 20; x++) {
                    int argb = back.getRGB(x, y);
                    assertEquals(TestImages.expect8(x, y, 0), argb >> 16 & 0xFF);
                    assertEquals(TestImages.expect8(x, y, 1), argb >> 8 & 0xFF);
                    assertEquals(TestImages.expect8(x, y, 2), argb & 0xFF);
                    assertEquals(alpha ? TestImages.expect8(x, y, 3) : 255, argb >>> 24);
                }
            }
        }
    }

    @Test
    void sixteenBitGrayPngBecomesByteGray() throws Exception {
        byte[] png = TestImages.imageIo(TestImages.sixteenBit(20, 10, true, false), "png");
        BufferedImage back = ImageFiles.read(png, "deep-gray.png");
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, back.getType());
        for (int y = 0; y < 10; y++) for (int x = 0; x < 20; x++) assertEquals(TestImages.expect8(x, y, 0), back.getRaster().getSample(x, y, 0));
    }

    @Test
    void sixteenBitGrayWithAlphaBecomesArgbWithTheGrayLevels() throws Exception {
        byte[] png = TestImages.imageIo(TestImages.sixteenBit(20, 10, true, true), "png");
        BufferedImage back = ImageFiles.read(png, "deep-gray-alpha.png");
        assertEquals(BufferedImage.TYPE_INT_ARGB, back.getType());
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                int v = TestImages.expect8(x, y, 0), a = TestImages.expect8(x, y, 1);
                assertEquals(a << 24 | v * 0x010101, back.getRGB(x, y));
            }
        }
    }

    @Test
    void palettePngWithTransparencyKeepsItsAlpha() throws Exception {
        BufferedImage palette = TestImages.paletteWithAlpha(12, 9);
        byte[] png = TestImages.imageIo(palette, "png");
        assertEquals(3, png[25], "colour type 3: a palette PNG");
        BufferedImage back = ImageFiles.read(png, "palette.png");
        assertTrue(standard(back), "type " + back.getType());
        assertTrue(back.getColorModel().hasAlpha());
        assertSameRgb(palette, back);
    }

    @Test
    void oneBitGrayPngBecomesByteGray() throws Exception {
        BufferedImage binary = new BufferedImage(19, 7, BufferedImage.TYPE_BYTE_BINARY);
        for (int x = 0; x < 19; x += 2) binary.getRaster().setSample(x, 3, 0, 1);
        BufferedImage back = ImageFiles.read(TestImages.imageIo(binary, "png"), "bits.png");
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, back.getType());
        for (int y = 0; y < 7; y++) for (int x = 0; x < 19; x++) assertEquals(y == 3 && x % 2 == 0 ? 255 : 0, back.getRaster().getSample(x, y, 0));
    }

    @Test
    void bmpAndGifAreRead() throws Exception {
        BufferedImage image = TestImages.rgb(33, 17, 7);
        BufferedImage bmp = ImageFiles.read(TestImages.imageIo(image, "bmp"), "x.bmp");
        assertTrue(standard(bmp));
        assertSameRgb(image, bmp);

        BufferedImage flat = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 10; y++) for (int x = 0; x < 10; x++) flat.setRGB(x, y, x < 5 ? 0xFF0000 : 0x0000FF);
        BufferedImage gif = ImageFiles.read(TestImages.imageIo(flat, "gif"), "x.gif");
        assertTrue(standard(gif), "type " + gif.getType());
        assertSameRgb(flat, gif);
    }

    @Test
    void firstFrameOfAnAnimatedGif() throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BufferedImage first = solid(8, 6, 0xFF0000), second = solid(8, 6, 0x00FF00);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(first, null, null), null);
            writer.writeToSequence(new IIOImage(second, null, null), null);
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        assertSameRgb(first, ImageFiles.read(bytes.toByteArray(), "anim.gif"));
    }

    @Test
    void firstFrameOfAnAnimatedWebp() throws Exception {
        BufferedImage first = TestImages.rgb(10, 8, 8), second = TestImages.rgb(10, 8, 9);
        byte[] anim = animatedWebp(10, 8, new int[] {0, 0}, ImageFiles.encode(first, ImageFormat.WEBP), ImageFiles.encode(second, ImageFormat.WEBP));
        assertTrue(WebpContainer.isAnimated(anim));
        assertSameRgb(first, ImageFiles.read(anim, "anim.webp"));
    }

    @Test
    void firstFrameSmallerThanTheWebpCanvasSitsOnTransparency() throws Exception {
        BufferedImage frame = TestImages.argb(6, 4, 10);
        byte[] anim = animatedWebp(12, 10, new int[] {4, 2}, ImageFiles.encode(frame, ImageFormat.WEBP));
        BufferedImage back = ImageFiles.read(anim, "anim.webp");
        assertEquals(12, back.getWidth());
        assertEquals(10, back.getHeight());
        assertEquals(0, back.getRGB(0, 0) >>> 24);
        assertEquals(0, back.getRGB(11, 9) >>> 24);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                int e = frame.getRGB(x, y);
                assertEquals(e >>> 24, back.getRGB(x + 4, y + 2) >>> 24);
                if (e >>> 24 == 255) assertEquals(e, back.getRGB(x + 4, y + 2));
            }
        }
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        BufferedImage back = ImageFiles.read(TestImages.cmykJpeg(16, 16), "print.jpg");
        assertTrue(standard(back), "type " + back.getType());
        assertEquals(3, back.getRaster().getNumBands());
    }

    @Test
    void writeMatchesEncodeAndCreatesParentDirectories() throws Exception {
        BufferedImage image = TestImages.argb(20, 20, 11);
        for (ImageFormat format : ImageFormat.values()) {
            Path file = dir.resolve("a/b/c/out." + format.extension());
            ImageFiles.write(image, file, format);
            assertArrayEquals(ImageFiles.encode(image, format), Files.readAllBytes(file), format.toString());
        }
    }

    @Test
    void outputPathFor() {
        Path out = Path.of("/out");
        assertEquals(Path.of("/out/cat.png"), ImageFiles.outputPathFor(Path.of("photos/cat.jpeg"), out, ImageFormat.PNG));
        assertEquals(Path.of("/out/cat.jpg"), ImageFiles.outputPathFor(Path.of("cat.jpg"), out, ImageFormat.JPG));
        assertEquals(Path.of("/out/cat.v2.webp"), ImageFiles.outputPathFor(Path.of("/a/cat.v2.png"), out, ImageFormat.WEBP));
        assertEquals(Path.of("/out/noext.png"), ImageFiles.outputPathFor(Path.of("noext"), out, ImageFormat.PNG));
        assertEquals(Path.of("/out/.hidden.png"), ImageFiles.outputPathFor(Path.of(".hidden"), out, ImageFormat.PNG));
        assertEquals(Path.of("rel/x.png"), ImageFiles.outputPathFor(Path.of("x.gif"), Path.of("rel"), ImageFormat.PNG));
    }

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) image.setRGB(x, y, rgb);
        return image;
    }

    /** An animated WebP whose frames are the VP8L chunks of still lossless WebPs; the first sits at {@code firstAt}. */
    static byte[] animatedWebp(int canvasW, int canvasH, int[] firstAt, byte[]... stills) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(chunk("VP8X", concatBytes(new byte[] {0x02 | 0x10, 0, 0, 0}, u24(canvasW - 1), u24(canvasH - 1))));
        body.writeBytes(chunk("ANIM", new byte[] {0, 0, 0, 0, 0, 0}));
        for (int i = 0; i < stills.length; i++) {
            byte[] still = stills[i];
            assertTrue(WebpContainer.fourcc(still, 12, "VP8L"), "lossless still WebP");
            int w = 1 + ((still[21] & 0xFF) | (still[22] & 0x3F) << 8);
            int h = 1 + ((still[22] & 0xFF) >> 6 | (still[23] & 0xFF) << 2 | (still[24] & 0x0F) << 10);
            byte[] vp8l = java.util.Arrays.copyOfRange(still, 12, still.length);
            int x = i == 0 ? firstAt[0] / 2 : 0, y = i == 0 ? firstAt[1] / 2 : 0;
            body.writeBytes(chunk("ANMF", concatBytes(u24(x), u24(y), u24(w - 1), u24(h - 1), u24(100), new byte[] {0}, vp8l)));
        }
        byte[] payload = body.toByteArray();
        return concatBytes("RIFF".getBytes(), u32(4 + payload.length), "WEBP".getBytes(), payload);
    }

    private static byte[] chunk(String fourcc, byte[] payload) {
        byte[] pad = new byte[payload.length % 2];
        return concatBytes(fourcc.getBytes(), u32(payload.length), payload, pad);
    }

    private static byte[] u24(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16)};
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static byte[] concatBytes(byte[]... parts) {
        return TestImages.concat(parts);
    }
}
