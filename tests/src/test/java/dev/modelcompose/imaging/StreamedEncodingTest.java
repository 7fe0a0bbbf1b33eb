package dev.modelcompose.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PNG streamed as it is encoded (what a server stores and sends) is byte for byte the PNG encoded in memory, metadata
 * chunks included, however the stream is written to; and an image header is read without decoding its pixels.
 */
class StreamedEncodingTest {
    @TempDir
    Path dir;

    private static byte[] streamed(BufferedImage image, ImageFormat format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageFiles.encode(image, format, out);
        return out.toByteArray();
    }

    @Test
    void aStreamedPngIsTheInMemoryPng() throws Exception {
        ImageMetadata metadata = new ImageMetadata(ImageMetadataCarrierTest.ICC, ExifBlocks.photo(1, 300, 200), 1);
        BufferedImage[] images = {TestImages.rgb(300, 200, 1), TestImages.argb(64, 48, 2), TestImages.gray(40, 30),
                ImageMetadataCarrier.attach(TestImages.rgb(300, 200, 3), metadata),
                ImageMetadataCarrier.attach(TestImages.gray(40, 30), new ImageMetadata(null, ExifBlocks.photo(1, 40, 30), 1))};
        for (BufferedImage image : images) {
            byte[] expected = ImageFiles.encode(image, ImageFormat.PNG);
            assertArrayEquals(expected, streamed(image, ImageFormat.PNG));
            // one byte at a time: chunk boundaries may fall anywhere in the writes
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageFiles.encode(image, ImageFormat.PNG, new OutputStream() {
                @Override
                public void write(int b) {
                    bytes.write(b);
                }
            });
            assertArrayEquals(expected, bytes.toByteArray());
        }
        BufferedImage back = ImageFiles.read(streamed(images[3], ImageFormat.PNG), "x");
        assertEquals(300, back.getWidth());
        ImageWithMetadata read = ImageFiles.readWithMetadata(streamed(images[3], ImageFormat.PNG), "x");
        assertArrayEquals(ImageMetadataCarrierTest.ICC, read.metadata().icc());
    }

    @Test
    void jpegAndWebpAreWrittenToTheStreamToo() throws Exception {
        BufferedImage image = TestImages.rgb(50, 40, 4);
        assertArrayEquals(ImageFiles.encode(image, ImageFormat.JPG), streamed(image, ImageFormat.JPG));
        assertArrayEquals(ImageFiles.encode(image, ImageFormat.WEBP), streamed(image, ImageFormat.WEBP));
    }

    @Test
    void headersGiveSizeAndChannelsWithoutDecoding() throws Exception {
        assertEquals(new ImageHeader(30, 20, 3), ImageFiles.header(ImageFiles.encode(TestImages.rgb(30, 20, 1), ImageFormat.PNG), "x"));
        assertEquals(new ImageHeader(30, 20, 4), ImageFiles.header(ImageFiles.encode(TestImages.argb(30, 20, 1), ImageFormat.PNG), "x"));
        assertEquals(new ImageHeader(30, 20, 1), ImageFiles.header(ImageFiles.encode(TestImages.gray(30, 20), ImageFormat.PNG), "x"));
        assertEquals(new ImageHeader(30, 20, 3), ImageFiles.header(ImageFiles.encode(TestImages.rgb(30, 20, 1), ImageFormat.JPG), "x"));
        assertEquals(30, ImageFiles.header(ImageFiles.encode(TestImages.rgb(30, 20, 1), ImageFormat.WEBP), "x").width());
        // EXIF orientation 6: stored 30x20, upright 20x30
        byte[] sideways = ImageFiles.encode(TestImages.rgb(30, 20, 1), ImageFormat.JPG, new ImageMetadata(null, ExifBlocks.photo(6, 30, 20), 6));
        assertEquals(new ImageHeader(20, 30, 3), ImageFiles.header(sideways, "x"));
        Path file = Files.write(dir.resolve("s.jpg"), sideways);
        assertEquals(new ImageHeader(20, 30, 3), ImageFiles.header(file));
        // a header that claims a huge image is read as it is: refusing it is the caller's decision
        ImageHeader bomb = ImageFiles.header(TestImages.class.getResourceAsStream("/corpus/images/png-bomb-header").readAllBytes(), "bomb");
        assertTrue(bomb.pixels() > ImageFiles.DEFAULT_MAX_PIXELS, bomb.toString());
        ImageReadException e = assertThrows(ImageReadException.class, () -> ImageFiles.header("not an image".getBytes(), "x"));
        assertTrue(e.getMessage().startsWith("x: not an image"), e.getMessage());
    }
}
