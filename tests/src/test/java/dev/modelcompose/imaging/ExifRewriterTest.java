package dev.modelcompose.imaging;

import static dev.modelcompose.imaging.ExifBlocks.LONG;
import static dev.modelcompose.imaging.ExifBlocks.PIXEL_X;
import static dev.modelcompose.imaging.ExifBlocks.PIXEL_Y;
import static dev.modelcompose.imaging.ExifBlocks.SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ExifRewriter} on hand-built TIFF blocks in both byte orders, including broken and hostile ones. */
class ExifRewriterTest {
    private static ByteOrder order(boolean bigEndian) {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void pixelDimensionsBecomeTheImageSize(boolean bigEndian) {
        byte[] in = ExifBlocks.photo(order(bigEndian), 1, SHORT, 30, LONG, 20);
        byte[] out = ExifRewriter.forImage(in, 120, 80, false);
        assertEquals(120, ExifBlocks.value(out, PIXEL_X));
        assertEquals(SHORT, ExifBlocks.type(out, PIXEL_X));
        assertEquals(80, ExifBlocks.value(out, PIXEL_Y));
        assertEquals(LONG, ExifBlocks.type(out, PIXEL_Y));
        assertEquals(ExifBlocks.IFD1, ExifBlocks.nextIfd(out), "the thumbnail stays when the image was not turned");
        assertArrayEquals(ExifBlocks.photo(order(bigEndian), 1, SHORT, 120, LONG, 80), out, "nothing else changes");
        assertArrayEquals(ExifBlocks.photo(order(bigEndian), 1, SHORT, 30, LONG, 20), in, "the input is not modified");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aShortTooSmallForTheSizeBecomesALong(boolean bigEndian) {
        byte[] out = ExifRewriter.forImage(ExifBlocks.photo(order(bigEndian), 1, SHORT, 4000, SHORT, 3000), 70_000, 65_535, false);
        assertEquals(LONG, ExifBlocks.type(out, PIXEL_X));
        assertEquals(70_000, ExifBlocks.value(out, PIXEL_X));
        assertEquals(SHORT, ExifBlocks.type(out, PIXEL_Y));
        assertEquals(65_535, ExifBlocks.value(out, PIXEL_Y));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theThumbnailIsUnlinkedWhenTheImageWasTurned(boolean bigEndian) {
        byte[] out = ExifRewriter.forImage(ExifBlocks.photo(order(bigEndian), 1, SHORT, 30, SHORT, 20), 40, 60, true);
        assertEquals(0, ExifBlocks.nextIfd(out));
        assertEquals(40, ExifBlocks.value(out, PIXEL_X));
        assertEquals(60, ExifBlocks.value(out, PIXEL_Y));
    }

    @Test
    void otherTypesAndCountsAreLeftAlone() {
        byte[] ascii = ExifBlocks.photo(ByteOrder.BIG_ENDIAN, 1, ExifBlocks.ASCII, 0x31000000L, SHORT, 20);
        byte[] out = ExifRewriter.forImage(ascii, 99, 77, false);
        assertEquals(ExifBlocks.ASCII, ExifBlocks.type(out, PIXEL_X));
        assertArrayEquals(Arrays.copyOfRange(ascii, 40, 52), Arrays.copyOfRange(out, 40, 52));
        assertEquals(77, ExifBlocks.value(out, PIXEL_Y));

        byte[] twoValues = ExifBlocks.photo(ByteOrder.LITTLE_ENDIAN, 1, SHORT, 30, SHORT, 20);
        ByteBuffer.wrap(twoValues).order(ByteOrder.LITTLE_ENDIAN).putInt(40 + 4, 2); // PixelXDimension count 2
        assertEquals(30, ExifBlocks.value(ExifRewriter.forImage(twoValues, 99, 77, false), PIXEL_X));
    }

    @Test
    void nullAndNonTiffBlocksComeBackAsTheyAre() {
        assertNull(ExifRewriter.forImage(null, 1, 1, true));
        byte[] junk = "Exif\0\0MM\0*".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertSame(junk, ExifRewriter.forImage(junk, 1, 1, true));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void offsetsOutsideTheBlockChangeNothing(boolean bigEndian) {
        ByteOrder order = order(bigEndian);
        byte[] photo = ExifBlocks.photo(order, 1, SHORT, 30, SHORT, 20);
        for (long bad : new long[] {0, 4, 0x7FFFFFFFL, 0xFFFFFFFFL, photo.length - 1, photo.length}) {
            byte[] ifd0 = photo.clone();
            ByteBuffer.wrap(ifd0).order(order).putInt(4, (int) bad);
            assertArrayEquals(ifd0, ExifRewriter.forImage(ifd0, 99, 77, true), "IFD0 at " + bad);

            byte[] exifIfd = photo.clone();
            ByteBuffer.wrap(exifIfd).order(order).putInt(8 + 2 + 12 + 8, (int) bad);
            byte[] out = ExifRewriter.forImage(exifIfd, 99, 77, true);
            assertEquals(0, ExifBlocks.nextIfd(out), "IFD0 itself is sound: the thumbnail goes");
            byte[] expected = exifIfd.clone();
            ByteBuffer.wrap(expected).order(order).putInt(8 + 2 + 24, 0);
            assertArrayEquals(expected, out, "Exif IFD at " + bad);
        }
        byte[] hugeCount = photo.clone();
        ByteBuffer.wrap(hugeCount).order(order).putShort(38, (short) 0xFFFF); // Exif IFD entries past the end
        assertArrayEquals(hugeCount, ExifRewriter.forImage(hugeCount, 99, 77, false));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyTruncationIsSafe(boolean bigEndian) {
        byte[] photo = ExifBlocks.photo(order(bigEndian), 6, SHORT, 30, LONG, 20);
        for (int length = 0; length < photo.length; length++) {
            byte[] cut = Arrays.copyOf(photo, length);
            byte[] out = ExifRewriter.forImage(cut, 1234, 5678, true);
            assertEquals(length, out.length);
            for (int i = 0; i < length; i++) {
                // PixelXDimension's value, PixelYDimension's (once the whole Exif IFD is there), IFD0's next-IFD offset
                boolean editable = ((i >= 48 && i < 52) || (i >= 60 && i < 64)) && length >= 64 || i >= 34 && i < 38 && length >= 38;
                if (!editable) assertEquals(cut[i], out[i], "byte " + i + " of a block cut to " + length);
            }
        }
    }

    @Test
    void randomBlocksNeverThrowNorChangeLength() {
        Random random = new Random(6);
        for (int n = 0; n < 20_000; n++) {
            byte[] block = ExifBlocks.photo(order(random.nextBoolean()), 1 + random.nextInt(8), SHORT, random.nextInt(1 << 16), LONG, random.nextInt());
            int flips = 1 + random.nextInt(6);
            for (int i = 0; i < flips; i++) block[8 + random.nextInt(block.length - 8)] = (byte) random.nextInt();
            if (random.nextInt(4) == 0) block = Arrays.copyOf(block, 8 + random.nextInt(block.length - 8));
            assertEquals(block.length, ExifRewriter.forImage(block, 1 + random.nextInt(100_000), 1 + random.nextInt(100_000), random.nextBoolean()).length);
        }
    }
}
