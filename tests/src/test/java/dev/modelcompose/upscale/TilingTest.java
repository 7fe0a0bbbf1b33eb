package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import org.junit.jupiter.api.Test;

/** Tiled output must join without seams: for the compact model, tiled equals untiled within 1 level. */
class TilingTest {
    @Test
    void compactModelTiledEqualsUntiledWithDefaultPads() {
        PixelBuffer image = SyntheticImages.rgb(101, 77, 3);
        PixelBuffer untiled, tiled;
        try (Model u = Model.load(TestAssets.model("realesr-animevideov3-x4"))) {
            assertEquals(1, u.plannedTileCount(image.width(), image.height(), UpscaleOptions.defaults()), "automatic tiling should use one tile here");
            untiled = u.upscale(image, UpscaleOptions.defaults(), new UpscaleJob());
            UpscaleOptions small = UpscaleOptions.defaults().withTileSize(32);
            assertEquals(12, u.plannedTileCount(image.width(), image.height(), small));
            tiled = u.upscale(image, small, new UpscaleJob());
        }
        ImageDiff diff = ImageDiff.of(tiled, untiled, false);
        assertTrue(diff.max() <= 1, "tiled vs untiled: " + diff);
    }

    @Test
    void alphaIsSeamlessAcrossTiles() {
        PixelBuffer image = SyntheticImages.rgba(70, 45, 5);
        PixelBuffer untiled, tiled;
        try (Model u = Model.load(TestAssets.model("realesr-animevideov3-x2"))) {
            untiled = u.upscale(image, UpscaleOptions.defaults(), new UpscaleJob());
            tiled = u.upscale(image, UpscaleOptions.defaults().withTileSize(32), new UpscaleJob());
        }
        assertEquals(4, tiled.channels());
        assertTrue(ImageDiff.of(tiled, untiled, false).max() <= 1, "tiled vs untiled with alpha");
        for (int i = 3; i < tiled.pixels().length; i += 4)
            assertEquals(untiled.pixels()[i], tiled.pixels()[i], "alpha is resized over the whole image, so tiling cannot change it");
    }

    @Test
    void tinyImagesSmallerThanThePadWork() {
        try (Model u = Model.load(TestAssets.model("realesr-animevideov3-x4"))) {
            for (int[] size : new int[][] {{1, 1}, {2, 3}, {5, 1}, {9, 4}}) {
                PixelBuffer out = u.upscale(SyntheticImages.rgb(size[0], size[1], 1), UpscaleOptions.defaults(), new UpscaleJob());
                assertEquals(size[0] * 4, out.width());
                assertEquals(size[1] * 4, out.height());
            }
        }
    }
}
