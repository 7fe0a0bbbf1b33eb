package dev.modelcompose.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.upscale.BufferedImages;
import dev.modelcompose.upscale.PixelBuffer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The PNG written band by band (what a tiled upscaler will feed) decodes to exactly the pixels given, for every channel
 * layout and any band sizes, carries the metadata as {@link ImageFiles} stores it, and refuses to finish short.
 */
class PngRowWriterTest {
    private static byte[] write(PixelBuffer p, ImageMetadata metadata, long seed) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Random bands = new Random(seed);
        int rowBytes = p.width() * p.channels();
        try (PngRowWriter png = new PngRowWriter(out, p.width(), p.height(), p.channels(), metadata, PngRowWriter.DEFAULT_LEVEL)) {
            for (int y = 0; y < p.height(); ) {
                int rows = Math.min(p.height() - y, 1 + bands.nextInt(40));
                png.writeRows(p.pixels(), y * rowBytes, rows);
                y += rows;
            }
        }
        return out.toByteArray();
    }

    @Test
    void bandsOfAnySizeDecodeToThePixelsGiven() throws Exception {
        BufferedImage[] images = {TestImages.rgb(301, 203, 1), TestImages.argb(97, 61, 2), TestImages.gray(64, 77)};
        for (BufferedImage image : images) {
            PixelBuffer pixels = BufferedImages.toPixels(image);
            for (long seed = 0; seed < 3; seed++) {
                byte[] png = write(pixels, null, seed);
                PixelBuffer back = BufferedImages.toPixels(ImageFiles.read(png, "x"));
                assertEquals(pixels.channels(), back.channels());
                assertArrayEquals(pixels.pixels(), back.pixels());
            }
        }
        // gray with alpha: two channels
        byte[] ga = new byte[40 * 30 * 2];
        new Random(5).nextBytes(ga);
        PixelBuffer grayAlpha = new PixelBuffer(40, 30, 2, ga);
        BufferedImage decoded = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(write(grayAlpha, null, 1)));
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 40; x++) {
                assertEquals(ga[(y * 40 + x) * 2] & 0xFF, decoded.getRaster().getSample(x, y, 0));
                assertEquals(ga[(y * 40 + x) * 2 + 1] & 0xFF, decoded.getRaster().getSample(x, y, 1));
            }
    }

    @Test
    void metadataIsStoredAsImageFilesStoresIt() throws Exception {
        BufferedImage image = TestImages.rgb(120, 80, 3);
        ImageMetadata metadata = new ImageMetadata(ImageMetadataCarrierTest.ICC, ExifBlocks.photo(1, 30, 20), 1);
        byte[] png = write(BufferedImages.toPixels(image), metadata, 7);
        ImageWithMetadata read = ImageFiles.readWithMetadata(png, "x");
        ImageWithMetadata expected = ImageFiles.readWithMetadata(ImageFiles.encode(image, ImageFormat.PNG, metadata), "y");
        assertArrayEquals(expected.metadata().icc(), read.metadata().icc());
        assertArrayEquals(expected.metadata().exif(), read.metadata().exif(), "EXIF fitted to the image's size");
        assertEquals(120L, ExifBlocks.value(read.metadata().exif(), 0xA002));
    }

    @Test
    void missingRowsAndExtraRowsAreRefused() throws Exception {
        PixelBuffer p = BufferedImages.toPixels(TestImages.rgb(10, 10, 1));
        PngRowWriter png = new PngRowWriter(new ByteArrayOutputStream(), 10, 10, 3, null, PngRowWriter.DEFAULT_LEVEL);
        png.writeRows(p.pixels(), 0, 9);
        assertThrows(IllegalArgumentException.class, () -> png.writeRows(p.pixels(), 0, 2));
        java.io.IOException e = assertThrows(java.io.IOException.class, png::close);
        assertTrue(e.getMessage().contains("9 of its 10 rows"), e.getMessage());
    }
}
