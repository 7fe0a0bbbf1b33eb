package dev.modelcompose.upscale;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * What a {@link Model} is loaded onto: its devices and how they store and multiply. Immutable; the {@code with*}
 * methods return changed copies.
 *
 * @param devices   -1 is the CPU, 0.. a Vulkan device ({@link GpuDevices#list()}); with several, the tiles of each image
 *                  are spread over all of them (GPUs plan the tile size)
 * @param precision how the devices store activations and weights (see {@link Precision})
 */
public record ModelOptions(int[] devices, Precision precision) {
    public static final int CPU = -1;

    public ModelOptions {
        if (devices == null || devices.length == 0) throw new IllegalArgumentException("at least one device is needed");
        devices = devices.clone();
        Set<Integer> seen = new HashSet<>();
        for (int device : devices) {
            if (device < CPU || device > 62)
                throw new IllegalArgumentException("device must be -1 (CPU) or a GPU index (0, 1, ...), got " + device);
            if (!seen.add(device)) throw new IllegalArgumentException("device " + device + " is listed twice");
        }
        if (precision == null) throw new IllegalArgumentException("precision must not be null");
    }

    /** The CPU, automatic precision. */
    public static ModelOptions defaults() {
        return new ModelOptions(new int[] {CPU}, Precision.AUTO);
    }

    /** The first (with one device, the only) device. */
    public int device() {
        return devices[0];
    }

    @Override
    public int[] devices() {
        return devices.clone();
    }

    public ModelOptions withDevices(int... value) {
        return new ModelOptions(value, precision);
    }

    public ModelOptions withDevice(int value) {
        return new ModelOptions(new int[] {value}, precision);
    }

    public ModelOptions withPrecision(Precision value) {
        return new ModelOptions(devices, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelOptions m && Arrays.equals(devices, m.devices) && precision == m.precision;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(devices) + precision.hashCode();
    }

    @Override
    public String toString() {
        return "ModelOptions[devices=" + Arrays.toString(devices) + ", precision=" + precision + "]";
    }
}
