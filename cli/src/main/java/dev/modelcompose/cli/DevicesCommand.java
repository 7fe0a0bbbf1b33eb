package dev.modelcompose.cli;

import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.GpuDevices.GpuDevice;
import dev.modelcompose.upscale.Model;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code model-compose devices}: what {@code -g} can select. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List the devices the runner can use (for -g).")
public final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.printf("%-4s %-10s %s%n", "-g", "type", "device");
        List<GpuDevice> gpus = GpuDevices.list();
        for (GpuDevice d : gpus)
            out.printf("%-4d %-10s %s (Vulkan %s, %s device-local, fp16: %s)%n", d.index(), d.type(), d.name(), d.apiVersion(),
                    size(d.deviceLocalBytes()), fp16(d));
        out.printf("%-4s %-10s %s%n", "-1", "cpu", Model.cpuDescription());
        if (gpus.isEmpty()) out.println("GPUs: none usable: " + GpuDevices.unavailableReason() + "; every job runs on the CPU");
        return 0;
    }

    private static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30)) : (bytes >> 20) + " MiB";
    }

    private static String fp16(GpuDevice d) {
        if (d.fp16Arithmetic() && d.fp16Storage()) return "arithmetic + storage";
        if (d.fp16Storage()) return "storage";
        if (d.fp16Arithmetic()) return "arithmetic";
        return "no";
    }
}
