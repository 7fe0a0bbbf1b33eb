package dev.modelcompose.runtime;

import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.UpscaleJob;
import dev.modelcompose.upscale.UpscaleOptions;
import dev.modelcompose.upscale.Upscaler;
import java.awt.image.BufferedImage;

/**
 * What the image-upscale component needs from a loaded model: {@link Upscaler} in production, a fake in tests (and
 * in HTTP tests that must not load native code).
 */
public interface UpscaleEngine extends AutoCloseable {
    /** The model's upscale factor. */
    int scale();

    BufferedImage upscale(BufferedImage image, UpscaleJob job);

    @Override
    void close();

    /** Opens an engine for model files with options. */
    @FunctionalInterface
    interface Factory {
        UpscaleEngine open(ModelFiles files, UpscaleOptions options);
    }

    /** The real one: {@link Upscaler#open}. */
    static UpscaleEngine native_(ModelFiles files, UpscaleOptions options) {
        Upscaler u = Upscaler.open(files, options);
        return new UpscaleEngine() {
            @Override
            public int scale() {
                return u.scale();
            }

            @Override
            public BufferedImage upscale(BufferedImage image, UpscaleJob job) {
                return u.upscale(image, job);
            }

            @Override
            public void close() {
                u.close();
            }
        };
    }
}
