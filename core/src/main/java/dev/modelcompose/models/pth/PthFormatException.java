package dev.modelcompose.models.pth;

import dev.modelcompose.upscale.ModelLoadException;

/** A {@code .pth} file is not a PyTorch checkpoint we can read, or does not hold a supported network. */
public class PthFormatException extends ModelLoadException {
    public PthFormatException(String message) {
        super(message);
    }
}
