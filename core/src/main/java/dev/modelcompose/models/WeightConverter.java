package dev.modelcompose.models;

import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelLoadException;
import java.nio.file.Path;

/**
 * Turns downloaded PyTorch weights ({@code .pth}) into the ncnn files the runner loads:
 * {@code dev.modelcompose.models.pth.PthConverter} by default; {@link #UNAVAILABLE} refuses.
 */
public interface WeightConverter {

    /**
     * @param weights      the downloaded {@code .pth} file (read only; it may live in a shared cache)
     * @param architecture the compose file's or catalogue's architecture (e.g. real-esrgan, rrdb, srvgg-compact), may be null
     * @param scale        the expected scale, or null for the model's own
     */
    ModelFiles convert(Path weights, String architecture, Integer scale);

    /** False for {@link #UNAVAILABLE}: catalogue sources that need conversion are then skipped. */
    default boolean available() {
        return true;
    }

    WeightConverter UNAVAILABLE = new WeightConverter() {
        @Override
        public ModelFiles convert(Path weights, String architecture, Integer scale) {
            throw new ModelLoadException("PyTorch .pth weights need the converter, which this build does not have yet (" + weights
                    + "); use an ncnn model (.param/.bin) or a catalogue model meanwhile");
        }

        @Override
        public boolean available() {
            return false;
        }
    };
}
