package dev.modelcompose.conformance;

import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.Precision;
import java.util.ArrayList;
import java.util.List;

/**
 * One backend (and variant) the op conformance suite runs every case on, with the tolerance its arithmetic allows
 * against the double-precision reference: |actual − expected| ≤ tol·max(1, |expected|) for inputs of magnitude
 * about 1 (scaled with the magnitude of larger ones).
 *
 * @param name     for reports, e.g. "cpu" or "vulkan 0 fp16"
 * @param options  what the model is loaded onto
 * @param tolerance the bound for inputs of magnitude 1
 * @param scalesWithMagnitude whether the bound grows with the inputs' magnitude (fp16 storage rounds relative to it)
 */
record TestedBackend(String name, ModelOptions options, double tolerance, boolean scalesWithMagnitude) {
    /** fp32 arithmetic in a different order (Winograd transforms, blocked sums) than the reference's double sums. */
    static final double CPU_TOLERANCE = 1e-4;
    /** The Vulkan shaders' fp32 sums (fused multiply-adds in another order, lavapipe's fast math). */
    static final double VULKAN_FP32_TOLERANCE = 1e-3;
    /**
     * fp16 storage rounds the input, the weights and every op's output to 11 significant bits (relative error up to
     * 2^-11 = 4.9e-4 each; arithmetic stays fp32). One op sees about three such roundings, a chain of layers (the dense
     * block, 8 deep) more, and a convolution's sum of rounded products errs by about 1e-3 of the sum of |products|, not
     * of the (possibly cancelled) result. The worst seen is about 5e-3; wrong indexing or a missed conversion errs by
     * whole units.
     */
    static final double VULKAN_FP16_TOLERANCE = 8e-3;

    double toleranceFor(double inputMagnitude) {
        return scalesWithMagnitude ? tolerance * Math.max(1, inputMagnitude) : tolerance;
    }

    @Override
    public String toString() {
        return name;
    }

    /** Every backend this machine has: the CPU, and each Vulkan device in fp32 and (where it has 16-bit storage) fp16 storage. */
    static List<TestedBackend> available() {
        List<TestedBackend> out = new ArrayList<>();
        out.add(new TestedBackend("cpu", ModelOptions.defaults(), CPU_TOLERANCE, false));
        for (GpuDevices.GpuDevice d : GpuDevices.list()) {
            ModelOptions gpu = ModelOptions.defaults().withDevice(d.index());
            out.add(new TestedBackend("vulkan " + d.index() + " fp32", gpu.withPrecision(Precision.FP32), VULKAN_FP32_TOLERANCE, false));
            if (d.fp16Storage())
                out.add(new TestedBackend("vulkan " + d.index() + " fp16", gpu.withPrecision(Precision.FP16), VULKAN_FP16_TOLERANCE, true));
        }
        return out;
    }

    /** What this machine lacks, for the report. */
    static String missing() {
        return GpuDevices.list().isEmpty() ? "no Vulkan device (" + GpuDevices.unavailableReason() + ")" : "";
    }
}
