package dev.modelcompose.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.cli.Main;
import dev.modelcompose.testing.TestAssets;
import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.GpuDevices.GpuDevice;
import dev.modelcompose.upscale.UpscaleException;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelOptions;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Device discovery, `model-compose devices`, -g checks, and the CPU path when Vulkan is missing (in child JVMs). */
class VulkanDevicesTest {
    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {}

    private static Result cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Result(cli.execute(args), out.toString(), err.toString());
    }

    /** Runs a main class of this classpath in a child JVM with extra environment variables. */
    private static Result child(Map<String, String> env, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("vk-child", ".out"), err = Files.createTempFile("vk-child", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM timed out: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private Path image(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 9 & 0xFF) << 16 | (y * 7 & 0xFF) << 8 | (x ^ y) & 0xFF);
        Path p = dir.resolve("in.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void lavapipeIsListedWithItsIndex() {
        List<GpuDevice> gpus = GpuDevices.list();
        if (VulkanTesting.lavapipeInstalled())
            assertFalse(gpus.isEmpty(), "lavapipe is installed, so a Vulkan device must be listed: " + GpuDevices.unavailableReason());
        Result r = cli("devices");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("-1") && r.out.contains("oneDNN"), r.out);
        for (GpuDevice d : gpus) {
            assertEquals(gpus.indexOf(d), d.index());
            assertTrue(r.out.contains(d.index() + "    " + d.type()) && r.out.contains(d.name()), r.out);
            assertTrue(List.of("discrete", "integrated", "virtual", "cpu", "other").contains(d.type()), d.type());
            assertTrue(d.deviceLocalBytes() > 0, d.toString());
        }
        if (gpus.isEmpty()) assertTrue(r.out.contains("none usable: " + GpuDevices.unavailableReason()), r.out);
        else assertEquals("", GpuDevices.unavailableReason());
    }

    @Test
    void outOfRangeDevicesAreClearErrors() throws Exception {
        Path in = image(8, 8);
        int missing = GpuDevices.list().size();
        Result r = cli("upscale", "-i", in.toString(), "-o", dir.resolve("o.png").toString(), "-m", TestAssets.models().toString(), "-n",
                "realesr-animevideov3", "-g", Integer.toString(missing));
        assertNotEquals(0, r.exit);
        assertTrue(r.err.contains("device " + missing + " is not available") && r.err.contains("-1 = the CPU"), r.err);
        for (GpuDevice d : GpuDevices.list()) assertTrue(r.err.contains(d.index() + " = " + d.name()), r.err);
        assertFalse(r.err.contains("Exception"), r.err);
        assertNotEquals(0, cli("upscale", "-i", in.toString(), "-o", dir.resolve("o.png").toString(), "-g", "-2").exit);

        // the library checks too
        UpscaleException e = assertThrows(UpscaleException.class,
                () -> Model.load(TestAssets.model("realesr-animevideov3-x4"), ModelOptions.defaults().withDevice(missing)).close());
        assertTrue(e.getMessage().contains("device " + missing + " is not available"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.defaults().withDevice(-2));
    }

    @Test
    void withoutAVulkanDriverDevicesSaysWhyAndTheCpuStillWorks() throws Exception {
        Map<String, String> noDriver = Map.of("VK_ICD_FILENAMES", "/nonexistent/icd.json", "VK_DRIVER_FILES", "/nonexistent/icd.json");
        Result devices = child(noDriver, Main.class.getName(), "devices");
        assertEquals(0, devices.exit, devices.err);
        assertTrue(devices.out.contains("GPUs: none usable: no Vulkan devices"), devices.out);
        assertTrue(devices.out.contains("-1") && devices.out.contains("cpu"), devices.out);

        Path in = image(20, 12);
        Path out = dir.resolve("cpu.png");
        Result cpu = child(noDriver, Main.class.getName(), "upscale", "-i", in.toString(), "-o", out.toString(), "-m",
                TestAssets.models().toString(), "-n", "realesr-animevideov3", "-s", "4", "-g", "-1");
        assertEquals(0, cpu.exit, cpu.err);
        assertEquals(80, ImageIO.read(out.toFile()).getWidth());

        Result gpu = child(noDriver, Main.class.getName(), "upscale", "-i", in.toString(), "-o", dir.resolve("gpu.png").toString(), "-m",
                TestAssets.models().toString(), "-n", "realesr-animevideov3", "-g", "0");
        assertNotEquals(0, gpu.exit);
        assertTrue(gpu.err.contains("device 0 is not available") && gpu.err.contains("no Vulkan devices"), gpu.err);
    }

    @Test
    void withoutAVulkanLoaderDevicesSaysSo() throws Exception {
        Result devices = child(Map.of("MC_VULKAN_LIBRARY", "/nonexistent/libvulkan.so.1"), Main.class.getName(), "devices");
        assertEquals(0, devices.exit, devices.err);
        assertTrue(devices.out.contains("GPUs: none usable: no Vulkan loader (/nonexistent/libvulkan.so.1) found"), devices.out);
    }

    @Test
    void devicesWithoutSubgroupBroadcastsUseThePlainShader() throws Exception {
        VulkanTesting.requireDevice();
        Result probe = child(Map.of("MC_VK_NO_SUBGROUP", "1"), VulkanProbe.class.getName());
        assertEquals(0, probe.exit, probe.out + probe.err);
        assertTrue(probe.out.contains("probe ok"), probe.out + probe.err);
    }
}
