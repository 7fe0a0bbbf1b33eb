package dev.modelcompose.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageFilesReadErrorsTest {
    private static final String NOT_AN_IMAGE =
            "not an image (the file starts with bytes that match no supported format: PNG, JPEG, WebP, BMP, GIF, TIFF)";

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static ImageReadException refused(Path file) {
        return assertThrows(ImageReadException.class, () -> ImageFiles.read(file));
    }

    @Test
    void emptyFile() throws Exception {
        Path file = file("x.png", new byte[0]);
        assertEquals(file + ": the file is empty", refused(file).getMessage());
        assertEquals("upload: the file is empty",
                assertThrows(ImageReadException.class, () -> ImageFiles.read(new byte[0], "upload")).getMessage());
    }

    @Test
    void randomBytes() throws Exception {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        noise[0] = 0x17;
        Path file = file("photo.png", noise);
        assertEquals(file + ": " + NOT_AN_IMAGE, refused(file).getMessage());
    }

    @Test
    void textFile() throws Exception {
        Path file = file("notes.jpg", "hello, this is not a picture\n".getBytes());
        assertEquals(file + ": " + NOT_AN_IMAGE, refused(file).getMessage());
    }

    @Test
    void knownButUnsupportedFormatsAreNamed() throws Exception {
        byte[] psd = {'8', 'B', 'P', 'S', 0, 1, 0, 0, 0, 0, 0, 0};
        assertTrue(refused(file("x.psd", psd)).getMessage().endsWith(
                ": Photoshop (PSD) images are not supported (supported formats: PNG, JPEG, WebP, BMP, GIF, TIFF)"));
        byte[] avif = {0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'a', 'v', 'i', 'f', 0, 0, 0, 0};
        assertTrue(refused(file("x.avif", avif)).getMessage().contains("AVIF images are not supported"));
        byte[] heic = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0};
        assertTrue(refused(file("x.heic", heic)).getMessage().contains("HEIC/HEIF images are not supported"));
    }

    @Test
    void missingFileAndDirectory() throws Exception {
        Path missing = dir.resolve("missing.png");
        assertEquals(missing + ": no such file", refused(missing).getMessage());
        assertEquals(dir + ": is a directory, not an image file", refused(dir).getMessage());
    }

    @Test
    void truncatedPng() throws Exception {
        byte[] png = ImageFiles.encode(TestImages.rgb(64, 64, 1), ImageFormat.PNG);
        Path file = file("x.png", Arrays.copyOf(png, png.length / 2));
        assertEquals(file + ": truncated or corrupt PNG data", refused(file).getMessage());
        Path header = file("header-only.png", Arrays.copyOf(png, 40));
        assertEquals(header + ": truncated or corrupt PNG data", refused(header).getMessage());
        Path stub = file("stub.png", Arrays.copyOf(png, 5));
        assertTrue(refused(stub).getMessage().startsWith(stub + ": truncated"), refused(stub).getMessage());
    }

    @Test
    void truncatedJpeg() throws Exception {
        // libjpeg would fill the missing half with gray and merely warn; that must not pass as a good image.
        byte[] jpg = ImageFiles.encode(TestImages.rgb(64, 64, 2), ImageFormat.JPG);
        Path file = file("x.jpg", Arrays.copyOf(jpg, jpg.length / 2));
        String message = refused(file).getMessage();
        assertTrue(message.startsWith(file + ": truncated or corrupt JPEG data"), message);
    }

    @Test
    void jpegMissingOnlyItsEndMarkerIsAccepted() throws Exception {
        byte[] jpg = ImageFiles.encode(TestImages.rgb(64, 64, 2), ImageFormat.JPG);
        BufferedImage image = ImageFiles.read(Arrays.copyOf(jpg, jpg.length - 2), "no-eoi.jpg");
        assertEquals(64, image.getWidth());
    }

    @ParameterizedTest
    @ValueSource(strings = {"webp", "gif", "bmp"})
    void otherTruncatedFormats(String format) throws Exception {
        BufferedImage image = TestImages.rgb(64, 64, 3);
        byte[] bytes = format.equals("webp") ? ImageFiles.encode(image, ImageFormat.WEBP) : TestImages.imageIo(image, format);
        ImageReadException e = assertThrows(ImageReadException.class,
                () -> ImageFiles.read(Arrays.copyOf(bytes, bytes.length / 2), "x." + format));
        assertTrue(e.getMessage().startsWith("x." + format + ": truncated or corrupt "), e.getMessage());
    }

    @Test
    void brokenPngChunkDataIsACorruptFileNotACrash() throws Exception {
        // A valid IHDR followed by an IDAT of garbage: decoders can throw RuntimeExceptions on such input.
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        byte[] png = TestImages.concat(TestImages.PNG_SIGNATURE, TestImages.ihdr(16, 16, 8, 2),
                TestImages.pngChunk("IDAT", garbage), TestImages.pngChunk("IEND", new byte[0]));
        ImageReadException e = assertThrows(ImageReadException.class, () -> ImageFiles.read(png, "garbage.png"));
        assertEquals("garbage.png: truncated or corrupt PNG data", e.getMessage());
    }

    @Test
    void theExtensionDoesNotMatter() throws Exception {
        BufferedImage image = TestImages.rgb(20, 10, 4);
        Path file = file("really-a-png.jpg", ImageFiles.encode(image, ImageFormat.PNG));
        TestImages.assertSameRgb(image, ImageFiles.read(file));
        Path webp = file("really-a-webp.png", ImageFiles.encode(image, ImageFormat.WEBP));
        TestImages.assertSameRgb(image, ImageFiles.read(webp));
    }

    /** A 50000x50000 PNG of a few hundred bytes: IHDR, three zlib-compressed zero rows, IEND. */
    static byte[] pngBomb() {
        int width = 50_000, height = 50_000;
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(new byte[3 * (1 + width * 3)]);
        deflater.finish();
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) idat.write(buffer, 0, deflater.deflate(buffer));
        return TestImages.concat(TestImages.PNG_SIGNATURE, TestImages.ihdr(width, height, 8, 2),
                TestImages.pngChunk("IDAT", idat.toByteArray()), TestImages.pngChunk("IEND", new byte[0]));
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() throws Exception {
        byte[] bomb = pngBomb();
        assertTrue(bomb.length < 2000, "bomb is " + bomb.length + " bytes");
        Path file = file("bomb.png", bomb);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            long before = allocatedBytes();
            ImageReadException e = refused(file);
            long allocated = allocatedBytes() - before;
            assertEquals(file + ": 50000x50000 pixels exceeds the limit of 100000000 pixels", e.getMessage());
            // 7.5 GB of pixels; the refusal itself allocates next to nothing.
            assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "webp", "gif"})
    void otherFormatsAreCheckedBeforeDecodingToo(String format) throws Exception {
        byte[] small = format.equals("webp")
                ? ImageFiles.encode(TestImages.rgb(8, 8, 5), ImageFormat.WEBP)
                : TestImages.imageIo(TestImages.rgb(8, 8, 5), format);
        byte[] huge = declareSize(small, format);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            long before = allocatedBytes();
            ImageReadException e = assertThrows(ImageReadException.class, () -> ImageFiles.read(huge, "huge." + format));
            long allocated = allocatedBytes() - before;
            assertTrue(e.getMessage().matches("huge\\." + format + ": \\d+x\\d+ pixels exceeds the limit of 100000000 pixels"), e.getMessage());
            assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes");
        });
    }

    @Test
    void bmpDeclaringMorePixelsThanItHoldsIsRefusedFromItsHeader() throws Exception {
        // The JDK's BMP reader compares the declared size with the data itself, so a BMP cannot be a bomb;
        // the limit still applies to real ones.
        byte[] bmp = TestImages.imageIo(TestImages.rgb(8, 8, 5), "bmp");
        assertEquals("huge.bmp: truncated or corrupt BMP data",
                assertThrows(ImageReadException.class, () -> ImageFiles.read(declareSize(bmp, "bmp"), "huge.bmp")).getMessage());
        assertEquals("x.bmp: 8x8 pixels exceeds the limit of 63 pixels",
                assertThrows(ImageReadException.class, () -> ImageFiles.read(bmp, "x.bmp", 63)).getMessage());
    }

    @Test
    void theLimitCanBeLowered() throws Exception {
        Path file = file("x.png", ImageFiles.encode(TestImages.rgb(20, 20, 6), ImageFormat.PNG));
        assertEquals(file + ": 20x20 pixels exceeds the limit of 399 pixels",
                assertThrows(ImageReadException.class, () -> ImageFiles.read(file, 399)).getMessage());
        assertEquals(20, ImageFiles.read(file, 400).getWidth());
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.read(file, 0));
    }

    @Test
    void mutatedFilesNeverEscapeAsRuntimeExceptions() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            BufferedImage image = TestImages.argb(24, 16, 7);
            byte[][] originals = {
                ImageFiles.encode(image, ImageFormat.PNG),
                ImageFiles.encode(TestImages.rgb(24, 16, 7), ImageFormat.JPG),
                ImageFiles.encode(image, ImageFormat.WEBP),
                TestImages.imageIo(TestImages.rgb(24, 16, 7), "gif"),
                TestImages.imageIo(TestImages.rgb(24, 16, 7), "bmp"),
                TestImages.imageIo(TestImages.paletteWithAlpha(24, 16), "png"),
                ImageFilesRoundTripTest.animatedWebp(30, 20, new int[] {2, 2},
                        ImageFiles.encode(image, ImageFormat.WEBP), ImageFiles.encode(image, ImageFormat.WEBP)),
            };
            Random random = new Random(1234);
            int decoded = 0, refused = 0;
            for (byte[] original : originals) {
                for (int round = 0; round < 300; round++) {
                    byte[] mutated = original.clone();
                    int flips = 1 + random.nextInt(4);
                    for (int i = 0; i < flips; i++) {
                        // Keep the magic bytes so that the decoder, not the sniffer, sees the damage.
                        int at = 4 + random.nextInt(mutated.length - 4);
                        mutated[at] = (byte) random.nextInt(256);
                    }
                    if (random.nextInt(5) == 0) mutated = Arrays.copyOf(mutated, 8 + random.nextInt(mutated.length - 8));
                    try {
                        ImageFiles.read(mutated, "fuzz", 4_000_000);
                        decoded++;
                    } catch (ImageReadException e) {
                        assertTrue(e.getMessage().startsWith("fuzz: "), e.getMessage());
                        refused++;
                    } catch (Throwable t) {
                        fail("round " + round + " escaped as " + t, t);
                    }
                }
            }
            assertTrue(decoded > 0 && refused > 0, decoded + " decoded, " + refused + " refused");
        });
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** The file with its header patched to declare a huge image (pixel data unchanged). */
    private static byte[] declareSize(byte[] bytes, String format) {
        byte[] out = bytes.clone();
        ByteBuffer le = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        switch (format) {
            case "jpeg": {
                for (int i = 2; i + 9 < out.length; ) {
                    int marker = out[i + 1] & 0xFF;
                    int length = (out[i + 2] & 0xFF) << 8 | (out[i + 3] & 0xFF);
                    if (marker == 0xC0 || marker == 0xC2) {
                        ByteBuffer.wrap(out).putShort(i + 5, (short) 60000).putShort(i + 7, (short) 60000);
                        return out;
                    }
                    i += 2 + length;
                }
                throw new AssertionError("no SOF marker");
            }
            case "webp": {
                assertTrue(WebpContainer.fourcc(out, 12, "VP8L"));
                int bits = le.getInt(21);
                le.putInt(21, bits & ~0x0FFFFFFF | 16383 | 16383 << 14);
                return out;
            }
            case "gif": {
                le.putShort(6, (short) 60000).putShort(8, (short) 60000);
                int at = 13;
                if ((out[10] & 0x80) != 0) at += 3 << ((out[10] & 7) + 1);
                while (out[at] == 0x21) {
                    at += 2;
                    while (out[at] != 0) at += (out[at] & 0xFF) + 1;
                    at++;
                }
                assertEquals(0x2C, out[at]);
                le.putShort(at + 5, (short) 60000).putShort(at + 7, (short) 60000);
                return out;
            }
            case "bmp":
                le.putInt(18, 40000).putInt(22, 40000);
                return out;
            default:
                throw new AssertionError(format);
        }
    }
}
