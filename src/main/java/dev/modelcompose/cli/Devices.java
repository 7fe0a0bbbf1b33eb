package dev.modelcompose.cli;

import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.UpscaleOptions;

/** Parses the {@code -g} device flag: -1 is the CPU, 0.. a Vulkan device listed by {@code model-compose devices}. */
final class Devices {
    private Devices() {}

    static int parse(String text) {
        int id;
        try {
            id = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-g takes a device number (-1 = CPU, 0.. = GPU), got '" + text + "'");
        }
        if (id == UpscaleOptions.CPU) return id;
        if (id < UpscaleOptions.CPU || id >= GpuDevices.list().size())
            throw new IllegalArgumentException("device " + id + " is not available; the devices are: " + GpuDevices.describeChoices()
                    + " ('model-compose devices' lists them)");
        return id;
    }
}
