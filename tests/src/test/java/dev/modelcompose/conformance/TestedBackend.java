package dev.modelcompose.conformance;

import dev.modelcompose.testing.NativeTesting;
import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelFiles;
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
record TestedBackend(String name, ModelOptions options, String cpuIsa, double tolerance, boolean scalesWithMagnitude) {
    /** fp32 arithmetic in a different order (Winograd transforms, blocked sums) than the reference's double sums. */
    static final double CPU_TOLERANCE = 1e-4;
    /**
     * bf16 products (8 significant bits: each operand rounded by up to 2^-9 = 2e-3 relative) summed in fp32: a
     * convolution's error is about 2e-3 of the sum of |products|, which for these inputs (magnitude 1, weights scaled to
     * the fan-in) stays below 1e-2; the bound leaves room for chains of layers. Where the CPU has no fast bf16 the request
     * runs the fp32 kernels, which meet it easily.
     */
    static final double CPU_BF16_TOLERANCE = 3e-2;
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

    /**
     * Every backend this machine has: the CPU at each instruction-set level it runs (each level has its own kernels:
     * baseline is oneDNN alone, avx2 our AVX2 Winograd, avx512 and up the AVX-512 ones), in fp32 and, at the levels with
     * bf16 arithmetic, bf16; and each Vulkan device in fp32 and (where it has 16-bit storage) fp16 storage.
     */
    static List<TestedBackend> available() {
        List<TestedBackend> out = new ArrayList<>();
        for (String isa : NativeTesting.cpuIsas()) {
            out.add(new TestedBackend("cpu " + isa, ModelOptions.defaults().withPrecision(Precision.FP32), isa, CPU_TOLERANCE, false));
            if (isa.endsWith("bf16"))
                out.add(new TestedBackend("cpu " + isa + " bf16", ModelOptions.defaults().withPrecision(Precision.BF16), isa, CPU_BF16_TOLERANCE, true));
        }
        for (GpuDevices.GpuDevice d : GpuDevices.list()) {
            ModelOptions gpu = ModelOptions.defaults().withDevice(d.index());
            out.add(new TestedBackend("vulkan " + d.index() + " fp32", gpu.withPrecision(Precision.FP32), null, VULKAN_FP32_TOLERANCE, false));
            if (d.fp16Storage())
                out.add(new TestedBackend("vulkan " + d.index() + " fp16", gpu.withPrecision(Precision.FP16), null, VULKAN_FP16_TOLERANCE, true));
        }
        return out;
    }

    /** Loads the model onto this backend (at its CPU level). */
    Model load(ModelFiles files) {
        if (cpuIsa == null) return Model.load(files, options);
        NativeTesting.forceCpuIsa(cpuIsa);
        try {
            return Model.load(files, options);
        } finally {
            NativeTesting.forceCpuIsa("");
        }
    }

    /** What this machine lacks, for the report. */
    static String missing() {
        List<String> missing = new ArrayList<>();
        for (String isa : List.of("avx2", "avx512", "avx512_bf16", "amx_bf16"))
            if (!NativeTesting.cpuIsas().contains(isa)) missing.add("cpu " + isa + " (this CPU lacks it)");
        if (GpuDevices.list().isEmpty()) missing.add("vulkan (" + GpuDevices.unavailableReason() + ")");
        return String.join(", ", missing);
    }
}
