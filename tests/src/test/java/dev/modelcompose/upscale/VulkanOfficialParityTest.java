package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelcompose.testing.TestAssets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our Vulkan path against the official realesrgan-ncnn-vulkan binary on the same Vulkan device
 * (lavapipe here), with the official tiling (10 px tile pad and pre-pad): at least 99 % of channel
 * values within 2 levels, leaving out the values the official binary wraps to 255; with fp32 storage
 * and, where the device has it, with fp16 storage as the official binary uses.
 */
@Tag("oracle")
class VulkanOfficialParityTest {
    private static final int DEVICE = 0;

    @TempDir
    Path dir;

    @Test
    void animeVideoV3X4MatchesOfficialBinaryOnTheSameDevice() throws Exception {
        compareWithOfficial("realesr-animevideov3-x4", "realesr-animevideov3", SyntheticImages.rgb(40, 30, 40 * 31L + 30));
    }

    @Test
    void x4plusMatchesOfficialBinaryOnTheSameDevice() throws Exception {
        compareWithOfficial("realesrgan-x4plus", "realesrgan-x4plus", SyntheticImages.rgb(36, 28, 36 * 29L + 28));
    }

    private void compareWithOfficial(String model, String officialName, PixelBuffer image) throws Exception {
        assumeTrue(!GpuDevices.list().isEmpty(), () -> "no Vulkan device: " + GpuDevices.unavailableReason());
        Path in = dir.resolve(model + "-in.png"), out = dir.resolve(model + "-official.png");
        ImageIO.write(BufferedImages.fromPixels(image, null), "png", in.toFile());
        List<String> cmd = List.of(TestAssets.officialBinary().toString(), "-i", in.toString(), "-o", out.toString(), "-m",
                TestAssets.models().toString(), "-n", officialName, "-s", "4", "-t", "32", "-g", Integer.toString(DEVICE));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "official binary timed out");
        assertEquals(0, p.exitValue(), "official binary failed (is mesa-vulkan-drivers installed?):\n" + log);
        assertTrue(Files.isRegularFile(out), "official binary wrote no output:\n" + log);
        PixelBuffer official = BufferedImages.toPixels(ImageIO.read(out.toFile()));

        for (Precision precision : GpuDevices.list().get(DEVICE).fp16Storage() ? List.of(Precision.FP32, Precision.FP16) : List.of(Precision.FP32)) {
            UpscaleOptions options = UpscaleOptions.defaults().withTileSize(32).withTilePad(10).withPrePad(10);
            PixelBuffer ours;
            try (Model u = Model.load(TestAssets.model(model), ModelOptions.defaults().withDevice(DEVICE).withPrecision(precision))) {
                ours = u.upscale(image, options);
            }
            ImageDiff diff = ImageDiff.of(ours, official, true);
            System.out.println("Vulkan (" + precision + " storage) vs official, " + model + " " + image.width() + "x" + image.height()
                    + " tile 32: " + diff);
            assertTrue(diff.fractionWithin2() >= 0.99, "ours (Vulkan, " + precision + " storage) vs official: " + diff);
        }
    }
}
