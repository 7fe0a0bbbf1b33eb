package dev.modelcompose.testing;

import dev.modelcompose.nativelib.RunnerNative;
import java.util.List;

/** Native test hooks: injected Vulkan failures (as MC_VULKAN_FAIL does) and the CPU instruction level (as MC_CPU_ISA does). */
public final class NativeTesting {
    private NativeTesting() {}

    /** "oom@N" (the Nth pass from now runs out of device memory), "lost@N" (the device is lost from the Nth pass on), "" clears. */
    public static void injectVulkanFault(String spec) {
        try (RunnerNative.Status status = new RunnerNative.Status()) {
            RunnerNative.injectVulkanFault(spec, status);
            if (status.code() != 0) throw new IllegalArgumentException(status.message());
        }
    }

    /** The CPU's instruction-set levels, lowest first: "baseline", "avx2", "avx512", "avx512_bf16", "amx_bf16". */
    public static List<String> cpuIsas() {
        RunnerNative.load();
        return List.of(RunnerNative.cpuIsas().split(","));
    }

    /** Caps the CPU backend's level for models loaded from now on; "" restores the default. */
    public static void forceCpuIsa(String name) {
        try (RunnerNative.Status status = new RunnerNative.Status()) {
            RunnerNative.forceCpuIsa(name, status);
            if (status.code() != 0) throw new IllegalArgumentException(status.message());
        }
    }
}
