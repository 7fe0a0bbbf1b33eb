package dev.modelcompose.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.NativeFaults;
import dev.modelcompose.testing.TestAssets;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.UpscaleJob;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.UpscaleOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Injected device errors (as MC_VULKAN_FAIL does): out of memory retries smaller tiles, a lost device finishes on the CPU. */
class VulkanFaultTest {
    private static final ModelFiles MODEL = TestAssets.model("realesr-animevideov3-x4");
    private static PixelBuffer image;
    private static PixelBuffer cpu;

    @BeforeAll
    static void reference() {
        VulkanTesting.requireDevice();
        image = VulkanTesting.image(64, 48, 3, 11);
        try (Model u = Model.load(MODEL)) {
            cpu = u.upscale(image, UpscaleOptions.defaults().withTileSize(32));
        }
    }

    @AfterEach
    void clear() {
        NativeFaults.injectVulkanFault("");
    }

    private static PixelBuffer onGpu(int tileSize, String fault, UpscaleJob job) {
        try (Model u = Model.load(MODEL, VulkanTesting.gpu())) {
            NativeFaults.injectVulkanFault(fault);
            return u.upscale(image, UpscaleOptions.defaults().withTileSize(tileSize), job);
        }
    }

    @Test
    void outOfDeviceMemoryRetriesTheTileAtHalfTheSize() {
        UpscaleJob job = new UpscaleJob();
        PixelBuffer out = onGpu(64, "oom@1", job);
        double[] d = VulkanTesting.within1(out, cpu);
        assertTrue(d[0] >= 0.999, "within 1: " + d[0] + ", max " + d[1]);
        assertTrue(job.warnings().stream().anyMatch(w -> w.contains("retrying a tile at 32 px")), job.warnings().toString());
        assertEquals(1, job.deviceTiles().get(VulkanTesting.DEVICE), job.deviceTiles().toString());
    }

    @Test
    void aLostDeviceFinishesTheJobOnTheCpuWithAWarning() {
        UpscaleJob job = new UpscaleJob();
        PixelBuffer out = onGpu(32, "lost@2", job);
        double[] d = VulkanTesting.within1(out, cpu);
        assertTrue(d[0] >= 0.999, "within 1: " + d[0] + ", max " + d[1]);
        assertTrue(job.warnings().stream().anyMatch(w -> w.contains("finishing its tiles on the CPU") && w.contains("DEVICE_LOST")),
                job.warnings().toString());
        assertEquals(1, job.deviceTiles().get(VulkanTesting.DEVICE), job.deviceTiles().toString());
        assertEquals(3, job.deviceTiles().get(ModelOptions.CPU), job.deviceTiles().toString());
    }
}
