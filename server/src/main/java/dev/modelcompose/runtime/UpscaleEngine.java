package dev.modelcompose.runtime;

import dev.modelcompose.upscale.Model;
import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelOptions;
import dev.modelcompose.upscale.UpscaleJob;
import dev.modelcompose.upscale.UpscaleOptions;
import java.awt.image.BufferedImage;

/**
 * What the image-upscale component needs from a loaded model: a {@link Model} in production, a fake in tests (and in
 * HTTP tests that must not load native code). One engine serves every run of its component, each with its own options.
 */
public interface UpscaleEngine extends AutoCloseable {
    /** The model's upscale factor. */
    int scale();

    BufferedImage upscale(BufferedImage image, UpscaleOptions options, UpscaleJob job);

    @Override
    void close();

    /** Loads an engine for model files onto devices. */
    @FunctionalInterface
    interface Factory {
        UpscaleEngine open(ModelFiles files, ModelOptions options);
    }

    /** The real one: {@link Model#load}. */
    static UpscaleEngine native_(ModelFiles files, ModelOptions options) {
        Model model = Model.load(files, options);
        return new UpscaleEngine() {
            @Override
            public int scale() {
                return model.scale();
            }

            @Override
            public BufferedImage upscale(BufferedImage image, UpscaleOptions call, UpscaleJob job) {
                return model.upscale(image, call, job);
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }
}
