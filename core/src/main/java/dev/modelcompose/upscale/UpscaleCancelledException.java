package dev.modelcompose.upscale;

/** The job was cancelled before it finished; no output was produced. */
public class UpscaleCancelledException extends UpscaleException {
    public UpscaleCancelledException() {
        super("the upscale was cancelled");
    }
}
