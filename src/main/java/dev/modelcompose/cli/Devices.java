package dev.modelcompose.cli;

import dev.modelcompose.upscale.UpscaleOptions;

/** Parses the {@code -g} device flag. */
final class Devices {
    private Devices() {}

    static int parse(String text) {
        int id;
        try {
            id = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-g takes a device number (-1 = CPU), got '" + text + "'");
        }
        if (id != UpscaleOptions.CPU)
            throw new IllegalArgumentException("device " + id + " is not available: this build runs on the CPU only (-g -1); "
                    + "'model-compose devices' lists the devices");
        return id;
    }
}
