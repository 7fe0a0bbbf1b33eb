package dev.modelcompose.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.UpscaleJob;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.UpscaleOptions;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One image's tiles spread over the Vulkan device and the CPU at once. */
class VulkanMultiDeviceTest {
    @BeforeAll
    static void device() {
        VulkanTesting.requireDevice();
    }

    @Test
    void gpuAndCpuTogetherMatchOneDeviceAndBothTakeTiles() {
        PixelBuffer image = VulkanTesting.image(64, 48, 3, 7);
        ModelFiles model = TestAssets.model("realesr-animevideov3-x4");
        UpscaleOptions base = UpscaleOptions.defaults().withTileSize(32);
        PixelBuffer single;
        try (Model u = Model.load(model)) {
            single = u.upscale(image, base);
        }
        UpscaleJob job = new UpscaleJob();
        PixelBuffer both;
        int planned;
        try (Model u = Model.load(model, ModelOptions.defaults().withDevices(VulkanTesting.DEVICE, ModelOptions.CPU))) {
            planned = u.plannedTileCount(64, 48, base);
            assertTrue(planned >= 4, "tiles: " + planned);
            both = u.upscale(image, base, job);
        }
        double[] d = VulkanTesting.within1(both, single);
        Map<Integer, Integer> tiles = job.deviceTiles();
        System.out.println("-g 0,-1 on 64x48, tile 32: tiles per device " + tiles + ", within 1: " + d[0] + ", max " + d[1]);
        assertTrue(d[0] >= 0.999, "within 1: " + d[0] + ", max " + d[1]);
        assertEquals(planned, tiles.get(VulkanTesting.DEVICE) + tiles.get(ModelOptions.CPU), tiles.toString());
        assertTrue(tiles.get(VulkanTesting.DEVICE) > 0, "the GPU took no tile: " + tiles);
        assertTrue(tiles.get(ModelOptions.CPU) > 0, "the CPU took no tile: " + tiles);
    }
}
