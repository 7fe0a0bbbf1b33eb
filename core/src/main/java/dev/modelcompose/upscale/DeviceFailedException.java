package dev.modelcompose.upscale;

/** A compute device or library failed (a GPU was lost, a driver or oneDNN error); another device may work. */
public class DeviceFailedException extends UpscaleException {
    public DeviceFailedException(String message) {
        super(message);
    }
}
