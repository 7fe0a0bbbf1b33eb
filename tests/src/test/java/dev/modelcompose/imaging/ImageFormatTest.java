package dev.modelcompose.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageFormatTest {
    @Test
    void extensions() {
        assertEquals("png", ImageFormat.PNG.extension());
        assertEquals("jpg", ImageFormat.JPG.extension());
        assertEquals("webp", ImageFormat.WEBP.extension());
    }

    @Test
    void parseAcceptsTheNamesInAnyCase() {
        assertEquals(ImageFormat.PNG, ImageFormat.parse("png"));
        assertEquals(ImageFormat.PNG, ImageFormat.parse("PNG"));
        assertEquals(ImageFormat.JPG, ImageFormat.parse("jpg"));
        assertEquals(ImageFormat.JPG, ImageFormat.parse("JPEG"));
        assertEquals(ImageFormat.JPG, ImageFormat.parse("Jpeg"));
        assertEquals(ImageFormat.WEBP, ImageFormat.parse("WebP"));
    }

    @Test
    void parseRejectsOtherNamesListingTheValidOnes() {
        for (String bad : new String[] {"tiff", "", "png ", ".png", "gif"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFormat.parse(bad));
            assertTrue(e.getMessage().contains("png, jpg, jpeg, webp"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ImageFormat.parse(null));
    }

    @Test
    void fromPathUsesTheExtension() {
        assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.fromPath(Path.of("a/b/c.png")));
        assertEquals(Optional.of(ImageFormat.JPG), ImageFormat.fromPath(Path.of("photo.JPEG")));
        assertEquals(Optional.of(ImageFormat.JPG), ImageFormat.fromPath(Path.of("photo.final.jpg")));
        assertEquals(Optional.of(ImageFormat.WEBP), ImageFormat.fromPath(Path.of("x.WebP")));
        assertEquals(Optional.empty(), ImageFormat.fromPath(Path.of("x.tiff")));
        assertEquals(Optional.empty(), ImageFormat.fromPath(Path.of("png")));
        assertEquals(Optional.empty(), ImageFormat.fromPath(Path.of("x.")));
        assertEquals(Optional.empty(), ImageFormat.fromPath(Path.of("/")));
        assertEquals(Optional.empty(), ImageFormat.fromPath(Path.of("dir.png", "file")));
    }

    @Test
    void onlyJpgLacksAlpha() {
        assertTrue(ImageFormat.PNG.supportsAlpha());
        assertTrue(ImageFormat.WEBP.supportsAlpha());
        assertFalse(ImageFormat.JPG.supportsAlpha());
    }
}
