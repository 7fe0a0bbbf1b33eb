package dev.modelcompose.upscale;

/** A device the model was loaded onto has no implementation of one of its layers; the message names the layer and the device. */
public class UnsupportedLayerException extends ModelLoadException {
    public UnsupportedLayerException(String message) {
        super(message);
    }
}
