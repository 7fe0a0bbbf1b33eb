package dev.modelcompose.upscale;

/** The model files are missing, malformed or use something the runner does not support. */
public class ModelLoadException extends UpscaleException {
    public ModelLoadException(String message) {
        super(message);
    }
}
