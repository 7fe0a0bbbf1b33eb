package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our CPU path against the official realesrgan-ncnn-vulkan binary (on Mesa lavapipe) for the same
 * model, image and tiling: at least 99 % of channel values within 2 levels, leaving out the values
 * the official binary wraps to 255.
 */
@Tag("oracle")
class OfficialParityTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -s {1}, {2}x{3}, tile {4}")
    @CsvSource({
        "realesr-animevideov3, 4, 70, 45, 32",
        "realesr-animevideov3, 4, 53, 61, 0",
        "realesr-animevideov3, 2, 47, 33, 32",
        "realesrgan-x4plus, 4, 44, 30, 32",
        "realesrgan-x4plus, 4, 37, 26, 0",
    })
    void matchesOfficialBinary(String name, int scale, int width, int height, int tile) throws Exception {
        PixelBuffer image = SyntheticImages.rgb(width, height, width * 31L + height);
        Path in = dir.resolve("in.png"), out = dir.resolve("official.png");
        ImageIO.write(BufferedImages.fromPixels(image, null), "png", in.toFile());
        runOfficial(in, out, name, scale, tile);
        PixelBuffer official = BufferedImages.toPixels(ImageIO.read(out.toFile()));

        // The official runner pads every tile with 10 real or mirrored pixels; use the same here.
        UpscaleOptions options = UpscaleOptions.defaults().withTileSize(tile).withTilePad(10).withPrePad(10);
        String model = name.startsWith("realesr-animevideov3") ? name + "-x" + scale : name;
        PixelBuffer ours;
        try (Model u = Model.load(TestAssets.model(model))) {
            assertEquals(scale, u.scale());
            ours = u.upscale(image, options);
        }
        ImageDiff diff = ImageDiff.of(ours, official, true);
        System.out.println(name + " x" + scale + " " + width + "x" + height + " tile " + tile + ": " + diff);
        assertTrue(diff.fractionWithin2() >= 0.99, "ours vs official: " + diff);
    }

    @Test
    void ttaMatchesOfficialBinary() throws Exception {
        PixelBuffer image = SyntheticImages.rgb(36, 27, 99);
        Path in = dir.resolve("in.png"), out = dir.resolve("official.png");
        ImageIO.write(BufferedImages.fromPixels(image, null), "png", in.toFile());
        runOfficial(in, out, "realesr-animevideov3", 4, 0, "-x");
        PixelBuffer official = BufferedImages.toPixels(ImageIO.read(out.toFile()));
        PixelBuffer ours;
        try (Model u = Model.load(TestAssets.model("realesr-animevideov3-x4"))) {
            ours = u.upscale(image, UpscaleOptions.defaults().withTta(true));
        }
        ImageDiff diff = ImageDiff.of(ours, official, true);
        System.out.println("realesr-animevideov3 x4 TTA 36x27: " + diff);
        assertTrue(diff.fractionWithin2() >= 0.99, "ours vs official with TTA: " + diff);
    }

    private static void runOfficial(Path in, Path out, String name, int scale, int tile, String... extra)
            throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(TestAssets.officialBinary().toString(), "-i", in.toString(), "-o",
                out.toString(), "-m", TestAssets.models().toString(), "-n", name, "-s", Integer.toString(scale), "-t",
                Integer.toString(tile), "-g", "0"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "official binary timed out");
        assertEquals(0, p.exitValue(), "official binary failed (is mesa-vulkan-drivers installed?):\n" + log);
        assertTrue(Files.isRegularFile(out), "official binary wrote no output:\n" + log);
    }
}
