package dev.modelcompose.models;

import dev.modelcompose.upscale.UpscaleException;

/** A model could not be downloaded or verified. */
public class ModelFetchException extends UpscaleException {
    public ModelFetchException(String message) {
        super(message);
    }

    public ModelFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
