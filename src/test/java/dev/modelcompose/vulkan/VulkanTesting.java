package dev.modelcompose.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.NcnnModelWriter.Layer;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import dev.modelcompose.upscale.Activation;
import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.PixelBuffer;
import dev.modelcompose.upscale.Precision;
import dev.modelcompose.upscale.UpscaleOptions;
import dev.modelcompose.upscale.Upscaler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
    static UpscaleOptions gpu() {
        return gpu(Precision.FP32);
    }

    static UpscaleOptions gpu(Precision precision) {
        return UpscaleOptions.defaults().withDevice(DEVICE).withPrecision(precision);
    }

    /** Skips the test when the device under test has no 16-bit storage buffers (lavapipe has them). */
    static void requireFp16Storage() {
        requireDevice();
        assumeTrue(GpuDevices.list().get(DEVICE).fp16Storage(), "the Vulkan device has no 16-bit storage buffers");
    }

    static Activation random(Random r, int c, int h, int w, double lo, double hi) {
        Activation a = new Activation(c, h, w);
        for (int i = 0; i < a.data().length; i++) a.data()[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    static float[] random(Random r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return v;
    }

    /** A conv layer with random weights (scaled by 1/sqrt(fan-in)) and optional random bias. */
    static Layer randomConv(NcnnModelWriter m, Random r, String name, String bottom, String top, int in, int out, int kw, int kh,
                            boolean bias, Tag tag) {
        Layer l = m.layer("Convolution", name, bottom, top).put(0, out).put(1, kw).put(6, out * in * kw * kh);
        if (kh != kw) l.put(11, kh);
        double scale = 1.5 / Math.sqrt(in * kw * kh);
        l.tagged(tag, random(r, out * in * kw * kh, -scale, scale));
        if (bias) l.put(5, 1).untagged(random(r, out, -0.5, 0.5));
        return l;
    }

    /**
     * Runs the model on the CPU and on the Vulkan device with the given storage precision and compares
     * (|gpu - cpu| <= tol * max(1, |cpu|)); checks that the device really stored blobs at that precision.
     */
    static void compare(Path dir, String name, NcnnModelWriter model, Precision precision, double tolerance, Activation... inputs) {
        ModelFiles files = model.write(dir, name);
        try (Upscaler cpu = Upscaler.open(files, UpscaleOptions.defaults()); Upscaler gpu = Upscaler.open(files, gpu(precision))) {
            assertEquals(precision, gpu.storagePrecision(DEVICE), "storage precision on the device");
            for (Activation input : inputs) assertClose(cpu.forward(input), gpu.forward(input), tolerance, precision + " storage, model:\n" + model.paramText());
        }
    }

    static void assertClose(Activation expected, Activation actual, double tol, String context) {
        String shapeE = expected.channels() + "x" + expected.height() + "x" + expected.width();
        String shapeA = actual.channels() + "x" + actual.height() + "x" + actual.width();
        assertEquals(shapeE, shapeA, () -> "output shape (c x h x w) of\n" + context);
        int bad = 0;
        String first = null;
        double worst = 0;
        for (int c = 0; c < expected.channels(); c++)
            for (int y = 0; y < expected.height(); y++)
                for (int x = 0; x < expected.width(); x++) {
                    double e = expected.get(c, y, x), a = actual.get(c, y, x);
                    double err = Double.isNaN(e) && Double.isNaN(a) ? 0 : Math.abs(a - e) / Math.max(1.0, Math.abs(e));
                    if (!(err <= tol)) {
                        bad++;
                        if (first == null) first = String.format(Locale.ROOT, "at (c=%d, y=%d, x=%d): cpu %.7g, vulkan %.7g", c, y, x, e, a);
                    }
                    if (!(err <= worst)) worst = err;
                }
        if (bad > 0)
            fail(bad + " of " + expected.data().length + " values differ by more than " + tol + " (worst " + worst + "); first " + first
                    + "\n" + context);
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
