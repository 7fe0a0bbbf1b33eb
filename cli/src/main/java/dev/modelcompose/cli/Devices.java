package dev.modelcompose.cli;

import dev.modelcompose.upscale.GpuDevices;
import dev.modelcompose.upscale.ModelOptions;

/** Parses the {@code -g} device flag: -1 is the CPU, 0.. a Vulkan device listed by {@code model-compose devices}. */
final class Devices {
    private Devices() {}

    /** A comma-separated list, e.g. "0,-1": the tiles of each image are spread over all of them. */
    static int[] parseList(String text) {
        String[] parts = text.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            ids[i] = parse(parts[i]);
            for (int j = 0; j < i; j++)
                if (ids[j] == ids[i]) throw new IllegalArgumentException("-g lists device " + ids[i] + " twice");
        }
        return ids;
    }

    static int parse(String text) {
        int id;
        try {
            id = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-g takes a device number (-1 = CPU, 0.. = GPU), got '" + text + "'");
        }
        if (id == ModelOptions.CPU) return id;
        if (id < ModelOptions.CPU || id >= GpuDevices.list().size())
            throw new IllegalArgumentException("device " + id + " is not available; the devices are: " + GpuDevices.describeChoices()
                    + " ('model-compose devices' lists them)");
        return id;
    }
}
