package dev.modelcompose.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.UpscaleOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The automatic tile on a Vulkan device follows the memory it may use, and a shared image is split between devices. */
class VulkanAutoTileTest {
    private static final ModelFiles MODEL = TestAssets.model("realesr-animevideov3-x4");

    @BeforeAll
    static void device() {
        VulkanTesting.requireDevice();
    }

    private static int plannedTile(UpscaleOptions options, int width, int height) {
        try (Model u = Model.load(MODEL, VulkanTesting.gpu())) {
            return u.plannedTileSize(width, height, options);
        }
    }

    @Test
    void aSmallImageIsOneTileWithTheDeviceBudget() {
        try (Model u = Model.load(MODEL, VulkanTesting.gpu())) {
            assertEquals(1, u.plannedTileCount(200, 150, UpscaleOptions.defaults()));
        }
    }

    @Test
    void theTileShrinksWithTheBudgetAndTheImageStaysTheSame() {
        // animevideov3 keeps about 3 planar 64-channel fp32 blobs: roughly 0.8 KB per input pixel
        int roomy = plannedTile(UpscaleOptions.defaults().withMemoryBudgetMb(64), 320, 240);
        int tight = plannedTile(UpscaleOptions.defaults().withMemoryBudgetMb(8), 320, 240);
        System.out.println("automatic Vulkan tile for 320x240: " + roomy + " px with 64 MiB, " + tight + " px with 8 MiB");
        assertTrue(tight >= 32 && tight < roomy, "8 MiB: " + tight + ", 64 MiB: " + roomy);
        assertTrue(roomy < 320, "64 MiB should not hold the whole 320x240 image: " + roomy);

        PixelBuffer image = VulkanTesting.image(90, 70, 3, 11);
        PixelBuffer whole, tiled;
        try (Model u = Model.load(MODEL, VulkanTesting.gpu())) {
            whole = u.upscale(image);
            UpscaleOptions tight3 = UpscaleOptions.defaults().withMemoryBudgetMb(3);
            assertTrue(u.plannedTileCount(90, 70, tight3) > 1, "3 MiB should need several tiles");
            tiled = u.upscale(image, tight3);
        }
        double[] d = VulkanTesting.within1(tiled, whole);
        assertTrue(d[0] >= 0.999, "tiled vs whole, within 1: " + d[0] + ", max " + d[1]);
    }

    @Test
    void severalDevicesGetAtLeastTwoTilesEach() {
        ModelOptions both = VulkanTesting.gpu().withDevices(VulkanTesting.DEVICE, ModelOptions.CPU);
        try (Model u = Model.load(MODEL, both)) {
            int tiles = u.plannedTileCount(256, 192, UpscaleOptions.defaults());
            assertTrue(tiles >= 4, "tiles: " + tiles);
        }
    }
}
