package dev.modelcompose.cli;

import dev.modelcompose.upscale.Upscaler;
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
        out.printf("%-4s %-5s %s%n", "-g", "type", "device");
        out.printf("%-4s %-5s %s%n", "-1", "cpu", Upscaler.cpuDescription());
        out.println("GPUs: none usable: this build has no Vulkan backend yet, so every job runs on the CPU");
        return 0;
    }
}
