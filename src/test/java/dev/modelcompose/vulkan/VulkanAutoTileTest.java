package dev.modelcompose.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.UpscaleOptions;
import dev.modelcompose.upscale.Upscaler;
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
        try (Upscaler u = Upscaler.open(MODEL, options)) {
            return u.plannedTileSize(width, height);
        }
    }

    @Test
    void aSmallImageIsOneTileWithTheDeviceBudget() {
        try (Upscaler u = Upscaler.open(MODEL, VulkanTesting.gpu())) {
            assertEquals(1, u.plannedTileCount(200, 150));
        }
    }

    @Test
    void theTileShrinksWithTheBudgetAndTheImageStaysTheSame() {
        // animevideov3 keeps about 3 planar 64-channel fp32 blobs: roughly 0.8 KB per input pixel
        int roomy = plannedTile(VulkanTesting.gpu().withMemoryBudgetMb(64), 320, 240);
        int tight = plannedTile(VulkanTesting.gpu().withMemoryBudgetMb(8), 320, 240);
        System.out.println("automatic Vulkan tile for 320x240: " + roomy + " px with 64 MiB, " + tight + " px with 8 MiB");
        assertTrue(tight >= 32 && tight < roomy, "8 MiB: " + tight + ", 64 MiB: " + roomy);
        assertTrue(roomy < 320, "64 MiB should not hold the whole 320x240 image: " + roomy);

        PixelBuffer image = VulkanTesting.image(90, 70, 3, 11);
        PixelBuffer whole, tiled;
        try (Upscaler u = Upscaler.open(MODEL, VulkanTesting.gpu())) {
            whole = u.upscale(image);
        }
        try (Upscaler u = Upscaler.open(MODEL, VulkanTesting.gpu().withMemoryBudgetMb(3))) {
            assertTrue(u.plannedTileCount(90, 70) > 1, "3 MiB should need several tiles");
            tiled = u.upscale(image);
        }
        double[] d = VulkanTesting.within1(tiled, whole);
        assertTrue(d[0] >= 0.999, "tiled vs whole, within 1: " + d[0] + ", max " + d[1]);
    }

    @Test
    void severalDevicesGetAtLeastTwoTilesEach() {
        UpscaleOptions both = VulkanTesting.gpu().withDevices(VulkanTesting.DEVICE, UpscaleOptions.CPU);
        try (Upscaler u = Upscaler.open(MODEL, both)) {
            assertTrue(u.plannedTileCount(256, 192) >= 4, "tiles: " + u.plannedTileCount(256, 192));
        }
    }
}
