package dev.modelcompose.testing;

import dev.modelcompose.nativelib.RunnerNative;

/** Injected Vulkan failures for tests (as the MC_VULKAN_FAIL variable does for a process). */
public final class NativeFaults {
    private NativeFaults() {}

    /** "oom@N" (the Nth pass from now runs out of device memory), "lost@N" (the device is lost from the Nth pass on), "" clears. */
    public static void injectVulkanFault(String spec) {
        try (RunnerNative.Status status = new RunnerNative.Status()) {
            RunnerNative.injectVulkanFault(spec, status);
            if (status.code() != 0) throw new IllegalArgumentException(status.message());
        }
    }
}
