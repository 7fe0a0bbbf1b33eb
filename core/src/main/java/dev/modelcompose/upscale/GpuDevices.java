package dev.modelcompose.upscale;

import dev.modelcompose.nativelib.RunnerNative;
import java.util.ArrayList;
import java.util.List;

/** The Vulkan devices a {@link Model} can be loaded onto ({@link ModelOptions#devices()}). Vulkan is looked for on the first call. */
public final class GpuDevices {
    /**
     * One device.
     *
     * @param index            its {@code -g} number
     * @param type             discrete, integrated, virtual, cpu (a software rasteriser such as lavapipe) or other
     * @param deviceLocalBytes memory of its device-local heaps
     * @param fp16Arithmetic   shaders can compute in fp16 (shaderFloat16)
     * @param fp16Storage      buffers can hold fp16 (storageBuffer16BitAccess)
     */
    public record GpuDevice(int index, String name, String type, long deviceLocalBytes, boolean fp16Arithmetic, boolean fp16Storage,
                            String apiVersion) {}

    private GpuDevices() {}

    public static List<GpuDevice> list() {
        NativeLibrary.require();
        List<GpuDevice> out = new ArrayList<>();
        for (int i = 0, n = RunnerNative.gpuCount(); i < n; i++) {
            try (RunnerNative.Status status = new RunnerNative.Status(); RunnerNative.GpuInfo g = RunnerNative.gpuInfo(i, status)) {
                NativeErrors.check(status);
                out.add(new GpuDevice(g.index(), g.name(), g.type(), g.deviceLocalBytes(), g.fp16Arithmetic(), g.fp16Storage(), g.apiVersion()));
            }
        }
        return List.copyOf(out);
    }

    /** Why no device is usable (e.g. "no Vulkan loader (libvulkan.so.1) found ..."); empty when one is. */
    public static String unavailableReason() {
        NativeLibrary.require();
        return RunnerNative.gpuUnavailableReason();
    }

    /** "0 = NAME (type), -1 = the CPU", or the reason there is no GPU: for error messages. */
    public static String describeChoices() {
        StringBuilder sb = new StringBuilder();
        for (GpuDevice d : list()) sb.append(d.index()).append(" = ").append(d.name()).append(" (").append(d.type()).append("), ");
        sb.append("-1 = the CPU");
        String reason = unavailableReason();
        if (!reason.isEmpty()) sb.append(" (no GPU: ").append(reason).append(')');
        return sb.toString();
    }
}
