package dev.modelcompose.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Metadata carried on an image, and written by the encoders that take no metadata argument. */
class ImageMetadataCarrierTest {
    @TempDir
    Path dir;

    static final byte[] ICC = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_GRAY,
            BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR})
    void attachingKeepsTheTypeAndSharesThePixels(int type) {
        BufferedImage plain = new BufferedImage(5, 3, type);
        ImageMetadata metadata = new ImageMetadata(ICC, ExifBlocks.photo(1, 5, 3), 1);
        BufferedImage carrying = ImageMetadataCarrier.attach(plain, metadata);
        assertEquals(type, carrying.getType());
        assertSame(plain.getRaster(), carrying.getRaster());
        assertEquals(metadata, ImageMetadataCarrier.of(carrying));
        assertEquals(ImageMetadata.NONE, ImageMetadataCarrier.of(plain));
        assertSame(carrying, ImageMetadataCarrier.attach(carrying, metadata));
        assertSame(plain, ImageMetadataCarrier.attach(plain, ImageMetadata.NONE));
        assertEquals(ImageMetadata.NONE, ImageMetadataCarrier.of(ImageMetadataCarrier.attach(carrying, null)));
    }

    /** A 30x20 JPEG stored sideways (orientation 6) with an ICC profile and EXIF pixel dimensions, read upright. */
    static ImageWithMetadata sidewaysPhoto() throws Exception {
        byte[] jpeg = ImageFiles.encode(TestImages.rgb(30, 20, 3), ImageFormat.JPG, new ImageMetadata(ICC, ExifBlocks.photo(6, 30, 20), 1));
        return ImageFiles.readWithMetadata(jpeg, "phone.jpg");
    }

    @Test
    void encodersStoreTheCarriedMetadataFittedToTheOutput() throws Exception {
        ImageWithMetadata read = sidewaysPhoto();
        assertEquals(20, read.image().getWidth());
        BufferedImage bigger = ImageMetadataCarrier.attach(new BufferedImage(40, 60, BufferedImage.TYPE_INT_RGB), read.metadata());
        for (ImageFormat format : ImageFormat.values()) {
            Path file = dir.resolve("out." + format.extension());
            ImageFiles.write(bigger, file, format);
            for (ImageWithMetadata back : new ImageWithMetadata[] {
                    ImageFiles.readWithMetadata(ImageFiles.encode(bigger, format), "out"), ImageFiles.readWithMetadata(file)}) {
                assertArrayEquals(ICC, back.metadata().icc(), format.toString());
                byte[] exif = back.metadata().exif();
                assertEquals(1, ExifBlocks.value(exif, ExifBlocks.ORIENTATION), format.toString());
                assertEquals(40, ExifBlocks.value(exif, ExifBlocks.PIXEL_X), format.toString());
                assertEquals(60, ExifBlocks.value(exif, ExifBlocks.PIXEL_Y), format.toString());
                assertEquals(0, ExifBlocks.nextIfd(exif), format + ": the sideways thumbnail is unlinked");
            }
        }
        assertEquals(ImageMetadata.NONE, ImageFiles.readWithMetadata(ImageFiles.encode(bigger, ImageFormat.PNG, ImageMetadata.NONE), "x").metadata(),
                "an explicit NONE writes no metadata");
    }

    @Test
    void anUprightInputKeepsItsThumbnail() throws Exception {
        byte[] jpeg = ImageFiles.encode(TestImages.rgb(30, 20, 3), ImageFormat.JPG, new ImageMetadata(null, ExifBlocks.photo(1, 30, 20), 1));
        BufferedImage image = ImageMetadataCarrier.attach(ImageFiles.readWithMetadata(jpeg, "upright.jpg"));
        byte[] exif = ImageFiles.readWithMetadata(ImageFiles.encode(image, ImageFormat.PNG), "out").metadata().exif();
        assertEquals(ExifBlocks.IFD1, ExifBlocks.nextIfd(exif));
        assertEquals(30, ExifBlocks.value(exif, ExifBlocks.PIXEL_X));
    }

    @Test
    void anImageWithoutMetadataIsWrittenClean() throws Exception {
        byte[] png = ImageFiles.encode(TestImages.rgb(8, 8, 1), ImageFormat.PNG);
        assertEquals(-1, ImageMetadataTest.indexOf(png, "iCCP"));
        assertEquals(-1, ImageMetadataTest.indexOf(png, "eXIf"));
        assertTrue(ImageFiles.readWithMetadata(png, "clean.png").metadata().isEmpty());
        assertNull(ImageMetadataCarrier.of(ImageFiles.read(png, "clean.png")).icc());
    }
}
