package dev.modelcompose.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** EXIF orientation, and ICC profiles and EXIF carried from input to output. */
class ImageMetadataTest {
    @TempDir
    Path dir;

    static final int R = 0xFF0000, G = 0x00FF00, B = 0x0000FF, W = 0xFFFFFF;

    /** A stored 32x16 image in quadrants: red, green / blue, white. */
    static BufferedImage quadrants() {
        BufferedImage image = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) image.setRGB(x, y, y < 8 ? (x < 16 ? R : G) : (x < 16 ? B : W));
        }
        return image;
    }

    /** For orientation 1..8: how the stored quadrants appear once upright (top-left, top-right, bottom-left, bottom-right). */
    static final int[][] UPRIGHT = {
        null,
        {R, G, B, W}, // 1
        {G, R, W, B}, // 2 mirrored left-right
        {W, B, G, R}, // 3 rotated 180
        {B, W, R, G}, // 4 mirrored top-bottom
        {R, B, G, W}, // 5 transposed
        {B, R, W, G}, // 6 rotate 90 clockwise to view
        {W, G, B, R}, // 7 transverse
        {G, W, R, B}, // 8 rotate 90 counter-clockwise to view
    };

    /** An EXIF TIFF block: IFD0 with Make "Cam" and the orientation. */
    static byte[] exif(int orientation, boolean bigEndian) {
        ByteBuffer b = ByteBuffer.allocate(38).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        b.put(bigEndian ? (byte) 'M' : (byte) 'I').put(bigEndian ? (byte) 'M' : (byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) 2);
        b.putShort((short) 0x010F).putShort((short) 2).putInt(4).put(new byte[] {'C', 'a', 'm', 0});
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0);
        return b.array();
    }

    static void assertQuadrants(int[] expected, BufferedImage image, String what) {
        int w = image.getWidth(), h = image.getHeight();
        int[][] at = {{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}};
        for (int i = 0; i < 4; i++) {
            int rgb = image.getRGB(at[i][0], at[i][1]);
            for (int shift = 0; shift <= 16; shift += 8) {
                int got = rgb >> shift & 0xFF, want = expected[i] >> shift & 0xFF;
                assertTrue(Math.abs(got - want) < 40, what + ": quadrant " + i + " is " + Integer.toHexString(rgb & 0xFFFFFF)
                        + ", expected " + Integer.toHexString(expected[i]));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void jpegOrientationIsTurnedUpright(int orientation) throws Exception {
        byte[] jpeg = MetadataCodec.intoJpeg(ImageFiles.encode(quadrants(), ImageFormat.JPG),
                new ImageMetadata(null, exif(orientation, orientation % 2 == 0), 1));
        ImageWithMetadata read = ImageFiles.readWithMetadata(jpeg, "o" + orientation + ".jpg");
        BufferedImage image = read.image();
        assertEquals(orientation >= 5 ? 16 : 32, image.getWidth());
        assertEquals(orientation >= 5 ? 32 : 16, image.getHeight());
        assertQuadrants(UPRIGHT[orientation], image, "orientation " + orientation);
        assertEquals(orientation, read.metadata().orientation());
        assertEquals(1, MetadataCodec.orientation(read.metadata().exif()), "the EXIF kept says upright now");
        // The plain read, from a file too, turns it as well.
        Path file = Files.write(dir.resolve("o" + orientation + ".jpg"), jpeg);
        assertQuadrants(UPRIGHT[orientation], ImageFiles.read(file), "read(Path), orientation " + orientation);
        assertQuadrants(UPRIGHT[orientation], ImageFiles.read(jpeg, "x.jpg"), "read(byte[]), orientation " + orientation);
    }

    @Test
    void pngExifOrientationIsTurnedUpright() throws Exception {
        byte[] png = MetadataCodec.intoPng(ImageFiles.encode(quadrants(), ImageFormat.PNG), new ImageMetadata(null, exif(6, true), 1));
        BufferedImage image = ImageFiles.read(Files.write(dir.resolve("o6.png"), png));
        assertEquals(16, image.getWidth());
        assertQuadrants(UPRIGHT[6], image, "PNG eXIf orientation 6");
    }

    @Test
    void brokenOrOddExifIsIgnored() throws Exception {
        byte[] good = ImageFiles.encode(quadrants(), ImageFormat.JPG);
        byte[][] exifs = {exif(0, true), exif(9, false), exif(0xFFFF, true), {'M', 'M', 0, 42, 0x7F, 0, 0, 0},
            {'I', 'I', 42, 0, 8, 0, 0, 0, (byte) 0xFF, (byte) 0xFF}, {1, 2, 3}};
        for (byte[] e : exifs) {
            ImageWithMetadata read = ImageFiles.readWithMetadata(MetadataCodec.intoJpeg(good, new ImageMetadata(null, e, 1)), "odd.jpg");
            assertEquals(32, read.image().getWidth());
            assertEquals(1, read.metadata().orientation());
        }
    }

    @Test
    void pngIccProfileRoundTrips() throws Exception {
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        BufferedImage image = TestImages.rgb(20, 12, 3);
        Path first = dir.resolve("first.png");
        ImageFiles.write(image, first, ImageFormat.PNG, new ImageMetadata(icc, null, 1));
        ImageWithMetadata read = ImageFiles.readWithMetadata(first);
        assertArrayEquals(icc, read.metadata().icc());
        assertNull(read.metadata().exif());
        // Independent check: the JDK's PNG reader sees the iCCP chunk too.
        var reader = ImageIO.getImageReadersByFormatName("png").next();
        reader.setInput(ImageIO.createImageInputStream(new ByteArrayInputStream(Files.readAllBytes(first))));
        assertNotNull(((javax.imageio.metadata.IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0"))
                .getElementsByTagName("iCCP").item(0));
        Path second = dir.resolve("second.png");
        ImageFiles.write(read.image(), second, ImageFormat.PNG, read.metadata());
        assertArrayEquals(icc, ImageFiles.readWithMetadata(second).metadata().icc());
        TestImages.assertSameRgb(image, ImageFiles.read(second));
    }

    @Test
    void jpegIccProfileRoundTripsWithTheStoredPixels() throws Exception {
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        BufferedImage image = quadrants();
        Path jpg = dir.resolve("linear.jpg");
        ImageFiles.write(image, jpg, ImageFormat.JPG, new ImageMetadata(icc, null, 1));
        ImageWithMetadata read = ImageFiles.readWithMetadata(jpg);
        assertArrayEquals(icc, read.metadata().icc());
        // The stored values, not converted from linear RGB to sRGB (which would brighten blue's and red's neighbours).
        assertQuadrants(UPRIGHT[1], read.image(), "pixels under an ICC profile");
        Path png = dir.resolve("linear.png");
        ImageFiles.write(read.image(), png, ImageFormat.PNG, read.metadata());
        assertArrayEquals(icc, ImageFiles.readWithMetadata(png).metadata().icc());
    }

    @Test
    void bigIccProfileIsSplitOverSeveralJpegSegments() throws Exception {
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
        byte[] big = new byte[150_000];
        System.arraycopy(icc, 0, big, 0, icc.length);
        for (int i = icc.length; i < big.length; i++) big[i] = (byte) i;
        byte[] jpeg = ImageFiles.encode(quadrants(), ImageFormat.JPG, new ImageMetadata(big, null, 1));
        assertArrayEquals(big, ImageFiles.readWithMetadata(jpeg, "big.jpg").metadata().icc());
    }

    @Test
    void exifSurvivesJpegToJpegAndJpegToPng() throws Exception {
        byte[] jpeg = MetadataCodec.intoJpeg(ImageFiles.encode(quadrants(), ImageFormat.JPG), new ImageMetadata(null, exif(6, false), 1));
        ImageWithMetadata read = ImageFiles.readWithMetadata(Files.write(dir.resolve("in.jpg"), jpeg));
        byte[] expected = exif(1, false);
        assertArrayEquals(expected, read.metadata().exif());
        for (ImageFormat format : new ImageFormat[] {ImageFormat.JPG, ImageFormat.PNG}) {
            Path out = dir.resolve("out." + format.extension());
            ImageFiles.write(read.image(), out, format, read.metadata());
            ImageWithMetadata again = ImageFiles.readWithMetadata(out);
            assertArrayEquals(expected, again.metadata().exif(), format + " keeps the EXIF, orientation reset to 1");
            assertEquals(16, again.image().getWidth(), format + " is not turned a second time");
            assertQuadrants(UPRIGHT[6], again.image(), format.toString());
            assertNotNull(ImageIO.read(out.toFile()), "the JDK still reads the " + format);
        }
    }

    @Test
    void grayOutputDropsAnRgbProfile() throws Exception {
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
        ImageMetadata metadata = new ImageMetadata(icc, exif(1, true), 1);
        byte[] gray = ImageFiles.encode(TestImages.gray(8, 8), ImageFormat.PNG, metadata);
        ImageMetadata back = ImageFiles.readWithMetadata(gray, "gray.png").metadata();
        assertNull(back.icc());
        assertArrayEquals(exif(1, true), back.exif());
    }

    @Test
    void webpKeepsIccAndExif() throws Exception {
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        for (BufferedImage image : new BufferedImage[] {TestImages.rgb(13, 7, 1), TestImages.argb(9, 11, 2)}) {
            Path out = dir.resolve("x.webp");
            ImageFiles.write(image, out, ImageFormat.WEBP, new ImageMetadata(icc, exif(1, true), 1));
            byte[] bytes = Files.readAllBytes(out);
            assertEquals("VP8X", new String(bytes, 12, 4, java.nio.charset.StandardCharsets.ISO_8859_1));
            ImageWithMetadata read = ImageFiles.readWithMetadata(out);
            assertArrayEquals(icc, read.metadata().icc());
            assertArrayEquals(exif(1, true), read.metadata().exif());
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int e = image.getRGB(x, y), a = read.image().getRGB(x, y);
                    // The encoder may change the colour of fully transparent pixels, with or without metadata.
                    if (e >>> 24 != 0) assertEquals(Integer.toHexString(e), Integer.toHexString(a), "pixel " + x + "," + y);
                    else assertEquals(0, a >>> 24);
                }
            }
        }
        // EXIF orientation in a WebP is applied like any other.
        byte[] rotated = ImageFiles.encode(quadrants(), ImageFormat.WEBP, new ImageMetadata(null, exif(8, false), 1));
        assertQuadrants(UPRIGHT[8], ImageFiles.read(rotated, "o8.webp"), "WebP orientation 8");
    }

    @Test
    void oversizedOrBrokenIccIsIgnored() throws Exception {
        byte[] png = ImageFiles.encode(TestImages.rgb(8, 8, 1), ImageFormat.PNG);
        // An iCCP chunk whose zlib data is garbage.
        byte[] withIcc = MetadataCodec.intoPng(png, new ImageMetadata(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData(), null, 1));
        int at = indexOf(withIcc, "iCCP") + 4 + 14;
        for (int i = at; i < at + 20; i++) withIcc[i] ^= 0x5A;
        ImageWithMetadata read = ImageFiles.readWithMetadata(withIcc, "bad-icc.png");
        assertNull(read.metadata().icc());
        assertThrows(ImageReadException.class, () -> ImageFiles.readWithMetadata(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, "x.jpg"));
    }

    @Test
    void cmykGrayAndBadProfilesStillDecode() throws Exception {
        // CMYK JPEG: converted to RGB as by read(); no profile to keep.
        ImageWithMetadata cmyk = ImageFiles.readWithMetadata(TestImages.cmykJpeg(16, 16), "print.jpg");
        assertEquals(BufferedImage.TYPE_INT_RGB, cmyk.image().getType());
        // Gray JPEG with a gray profile: stays gray, the profile goes back out.
        byte[] grayIcc = ICC_Profile.getInstance(ColorSpace.CS_GRAY).getData();
        byte[] grayJpeg = ImageFiles.encode(TestImages.gray(16, 12), ImageFormat.JPG, new ImageMetadata(grayIcc, null, 1));
        ImageWithMetadata gray = ImageFiles.readWithMetadata(grayJpeg, "gray.jpg");
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, gray.image().getType());
        assertArrayEquals(grayIcc, gray.metadata().icc());
        assertArrayEquals(grayIcc, ImageFiles.readWithMetadata(ImageFiles.encode(gray.image(), ImageFormat.PNG, gray.metadata()), "g.png")
                .metadata().icc());
        // A JPEG whose ICC profile is garbage: the pixels still decode, by both reads.
        byte[] junk = new byte[300];
        for (int i = 0; i < junk.length; i++) junk[i] = (byte) (i * 31);
        byte[] badIcc = ImageFiles.encode(quadrants(), ImageFormat.JPG, new ImageMetadata(junk, null, 1));
        assertQuadrants(UPRIGHT[1], ImageFiles.read(badIcc, "junk-icc.jpg"), "read, junk ICC");
        assertQuadrants(UPRIGHT[1], ImageFiles.readWithMetadata(badIcc, "junk-icc.jpg").image(), "readWithMetadata, junk ICC");
    }

    @Test
    void everyImageTypeIsTurnedTheSameWay() throws Exception {
        // The fast paths (int and byte rasters) and the general one (16-bit) agree with the table.
        int[] types = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR,
            BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_USHORT_565_RGB};
        for (int type : types) {
            BufferedImage stored = new BufferedImage(32, 16, type);
            stored.createGraphics().drawImage(quadrants(), 0, 0, null);
            for (int o = 1; o <= 8; o++) {
                BufferedImage upright = MetadataCodec.orient(stored, o);
                assertEquals(type, upright.getType());
                assertQuadrants(UPRIGHT[o], upright, "type " + type + ", orientation " + o);
            }
        }
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 2, 0, new int[] {1, 2, 3, 4, 5, 6});
        // 6: rotate clockwise, so the left column (4 over 1) becomes the top row read right to left.
        assertArrayEquals(new int[] {4, 1, 5, 2, 6, 3}, MetadataCodec.orient(gray, 6).getRaster().getSamples(0, 0, 2, 3, 0, (int[]) null));
        assertArrayEquals(new int[] {3, 6, 2, 5, 1, 4}, MetadataCodec.orient(gray, 8).getRaster().getSamples(0, 0, 2, 3, 0, (int[]) null));
    }

    static int indexOf(byte[] haystack, String needle) {
        outer:
        for (int i = 0; i + needle.length() <= haystack.length; i++) {
            for (int j = 0; j < needle.length(); j++) if (haystack[i + j] != needle.charAt(j)) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void tiffIsReadSixteenBitAndGrayIncluded() throws Exception {
        for (boolean grayImage : new boolean[] {false, true}) {
            for (boolean alpha : new boolean[] {false, true}) {
                if (grayImage && alpha) continue;
                BufferedImage sixteen = TestImages.sixteenBit(20, 10, grayImage, alpha);
                byte[] tiff = tiff(sixteen);
                assertTrue(tiff[0] == (byte) 0x49 || tiff[0] == (byte) 0x4D, "the JDK wrote a TIFF");
                BufferedImage back = ImageFiles.read(Files.write(dir.resolve("t.tif"), tiff));
                assertEquals(20, back.getWidth());
                assertEquals(grayImage ? BufferedImage.TYPE_BYTE_GRAY : alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB,
                        back.getType());
            }
        }
        BufferedImage rgb = TestImages.rgb(16, 9, 5);
        TestImages.assertSameRgb(rgb, ImageFiles.read(tiff(rgb), "rgb.tif"));
        byte[] tiff = tiff(rgb);
        byte[] cut = java.util.Arrays.copyOf(tiff, tiff.length / 2);
        // The JDK writes the IFD after the pixels: cut in half, the file is truncated TIFF data.
        ImageReadException e = assertThrows(ImageReadException.class, () -> ImageFiles.read(cut, "cut.tif"));
        assertTrue(e.getMessage().startsWith("cut.tif: truncated or corrupt TIFF data"), e.getMessage());
    }

    static byte[] tiff(BufferedImage image) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(image);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
