package dev.modelcompose.upscale;

import dev.modelcompose.nativelib.RunnerNative.Status;

/** Turns a failed native {@link Status} into this package's exception for its code (esrgan::ErrorCode in cpp/core/errors.h). */
final class NativeErrors {
    private NativeErrors() {}

    /** Throws the exception of a failed status; returns when the call succeeded. */
    static void check(Status status) {
        if (status.code() != 0) throw translate(status.code(), status.message());
    }

    static UpscaleException translate(int code, String message) {
        return switch (code) {
            case 1 -> new ModelLoadException(message);
            case 2 -> new UnsupportedLayerException(message);
            case 3 -> new UpscaleException(message);
            case 4 -> new UpscaleCancelledException();
            case 5, 6 -> new InsufficientMemoryException(message);
            case 7, 8 -> new DeviceFailedException(message);
            default -> new UpscaleException("native runner failed: " + message);
        };
    }
}
