package dev.modelcompose.vulkan;

import dev.modelcompose.testing.NcnnModelWriter;
import dev.modelcompose.testing.OpModels;
import dev.modelcompose.testing.NcnnModelWriter.Tag;
import dev.modelcompose.upscale.Activation;
import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Run in a child JVM by {@link VulkanDevicesTest} (with an environment that changes how the device is
 * set up, e.g. MC_VK_NO_SUBGROUP=1): compares two 3x3 convolutions (16 -> 64 -> 48 channels) on the device
 * with the CPU, in fp32 storage and, where the device has it, fp16 storage (the fp16 bound of VulkanOpsTest),
 * and prints "probe ok" or the first difference.
 */
public final class VulkanProbe {
    private VulkanProbe() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vk-probe");
        Random r = new Random(7);
        NcnnModelWriter m = new NcnnModelWriter();
        m.input("data", 16);
        OpModels.randomConv(m, r, "c1", "data", "a", 16, 64, 3, 3, true, Tag.FP16).put(4, 1).put(9, 2).putArray(10, 0.2);
        OpModels.randomConv(m, r, "c2", "a", "output", 64, 48, 3, 3, true, Tag.FP16).put(4, 1);
        ModelFiles files = m.write(dir, "probe");
        boolean fp16 = GpuDevices.list().get(VulkanTesting.DEVICE).fp16Storage();
        for (Precision precision : fp16 ? List.of(Precision.FP32, Precision.FP16) : List.of(Precision.FP32)) {
            try (Model cpu = Model.load(files); Model gpu = Model.load(files, VulkanTesting.gpu(precision))) {
                if (gpu.storagePrecision(VulkanTesting.DEVICE) != precision) throw new AssertionError(precision + " storage did not run");
                for (int[] size : new int[][] {{1, 1}, {9, 70}, {33, 20}}) {
                    Activation in = OpModels.random(r, 16, size[0], size[1], -1, 1);
                    VulkanTesting.assertClose(cpu.forward(in), gpu.forward(in), precision == Precision.FP16 ? 8e-3 : 1e-3,
                            "probe " + precision + " " + size[0] + "x" + size[1]);
                }
            }
        }
        System.out.println("probe ok");
    }
}
