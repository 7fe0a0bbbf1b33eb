package dev.modelcompose.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.OpModels;
import dev.modelcompose.upscale.Activation;
import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.Precision;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Shared helpers of the Vulkan tests: the device under test, random models and inputs, comparisons. */
final class VulkanTesting {
    /** The device the tests run on (lavapipe on CI). */
    static final int DEVICE = 0;

    private VulkanTesting() {}

    /** Whether a Mesa lavapipe ICD is installed, in which case a Vulkan device must be listed. */
    static boolean lavapipeInstalled() {
        for (String dir : new String[] {"/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"}) {
            try (var files = Files.list(Path.of(dir))) {
                if (files.anyMatch(p -> p.getFileName().toString().startsWith("lvp_icd"))) return true;
            } catch (java.io.IOException e) {
                // not there
            }
        }
        return false;
    }

    /** Skips the test when this machine has no Vulkan device (lavapipe or a GPU). */
    static void requireDevice() {
        assumeTrue(!GpuDevices.list().isEmpty(), () -> "no Vulkan device: " + GpuDevices.unavailableReason());
    }

    /** The device under test with fp32 storage, whatever {@link Precision#AUTO} picks there. */
    static ModelOptions gpu() {
        return gpu(Precision.FP32);
    }

    static ModelOptions gpu(Precision precision) {
        return ModelOptions.defaults().withDevice(DEVICE).withPrecision(precision);
    }

    /** Skips the test when the device under test has no 16-bit storage buffers (lavapipe has them). */
    static void requireFp16Storage() {
        requireDevice();
        assumeTrue(GpuDevices.list().get(DEVICE).fp16Storage(), "the Vulkan device has no 16-bit storage buffers");
    }

    /**
     * Runs the model on the CPU and on the Vulkan device with the given storage precision and compares
     * (|gpu - cpu| <= tol * max(1, |cpu|)); checks that the device really stored blobs at that precision.
     */
    static void compare(Path dir, String name, NcnnModelWriter model, Precision precision, double tolerance, Activation... inputs) {
        ModelFiles files = model.write(dir, name);
        try (Model cpu = Model.load(files); Model gpu = Model.load(files, gpu(precision))) {
            assertEquals(precision, gpu.storagePrecision(DEVICE), "storage precision on the device");
            for (Activation input : inputs) assertClose(cpu.forward(input), gpu.forward(input), tolerance, precision + " storage, model:\n" + model.paramText());
        }
    }

    static void assertClose(Activation expected, Activation actual, double tol, String context) {
        OpModels.assertClose(expected, actual, tol, true, "cpu", "vulkan", context);
    }

    /** A deterministic RGB(A) test image with gradients, edges and noise. */
    static PixelBuffer image(int width, int height, int channels, long seed) {
        Random random = new Random(seed);
        byte[] p = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * channels;
                p[i] = (byte) (127 + 127 * Math.sin(x / 7.0 + seed));
                if (channels >= 3) {
                    p[i + 1] = (byte) (127 + 127 * Math.cos(y / 5.0));
                    p[i + 2] = (byte) (((x ^ y) * 3 + random.nextInt(16)) & 0xFF);
                }
                if (channels == 2 || channels == 4) p[i + channels - 1] = (byte) (((x + y) * 9) & 0xFF);
            }
        return new PixelBuffer(width, height, channels, p);
    }

    /** Fraction of channel values within ±1 and the largest difference. */
    static double[] within1(PixelBuffer a, PixelBuffer b) {
        return within(a, b, 1);
    }

    /** Fraction of channel values within ±limit and the largest difference. */
    static double[] within(PixelBuffer a, PixelBuffer b, int limit) {
        assertEquals(a.width() + "x" + a.height() + "x" + a.channels(), b.width() + "x" + b.height() + "x" + b.channels());
        long ok = 0;
        int max = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            int d = Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF));
            if (d <= limit) ok++;
            max = Math.max(max, d);
        }
        return new double[] {(double) ok / a.pixels().length, max};
    }
}
