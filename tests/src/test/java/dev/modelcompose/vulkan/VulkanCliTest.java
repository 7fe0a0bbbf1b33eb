package dev.modelcompose.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.cli.Main;
import dev.modelcompose.testing.NativeFaults;
import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** -g with several devices, a device failure printed as a warning, and --precision. */
class VulkanCliTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void device() {
        VulkanTesting.requireDevice();
    }

    @AfterEach
    void clear() {
        NativeFaults.injectVulkanFault("");
    }

    @Test
    void gpuAndCpuTogetherWithALostDeviceStillWriteTheImageAndWarn() throws Exception {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++) img.setRGB(x, y, (x * 7 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | (x ^ y) & 0xFF);
        Path in = dir.resolve("in.png"), out = dir.resolve("out.png");
        ImageIO.write(img, "png", in.toFile());
        NativeFaults.injectVulkanFault("lost@1");
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("upscale", "-i", in.toString(), "-o", out.toString(), "-m", TestAssets.models().toString(), "-n",
                "realesr-animevideov3", "-s", "4", "-t", "32", "-g", VulkanTesting.DEVICE + ",-1");
        assertEquals(0, exit, err.toString());
        assertEquals(256, ImageIO.read(out.toFile()).getWidth());
        assertTrue(err.toString().contains("warning:") && err.toString().contains("on the CPU"), err.toString());
    }

    @Test
    void precisionOptionPicksTheStorageAndSaysSo() throws Exception {
        VulkanTesting.requireFp16Storage();
        Path in = dir.resolve("in.png"), out = dir.resolve("out.png");
        ImageIO.write(new BufferedImage(16, 12, BufferedImage.TYPE_INT_RGB), "png", in.toFile());
        for (String precision : new String[] {"fp16", "fp32"}) {
            StringWriter err = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setOut(new PrintWriter(new StringWriter(), true));
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute("upscale", "-i", in.toString(), "-o", out.toString(), "-m", TestAssets.models().toString(), "-n",
                    "realesr-animevideov3", "-s", "4", "-g", Integer.toString(VulkanTesting.DEVICE), "--precision", precision, "-v");
            assertEquals(0, exit, err.toString());
            assertTrue(err.toString().contains(", " + precision + " storage"), err.toString());
        }
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(1, cli.execute("upscale", "-i", in.toString(), "-o", out.toString(), "--precision", "fp8"), err.toString());
        assertTrue(err.toString().contains("precision must be auto, fp32 or fp16"), err.toString());
    }
}
