package dev.modelcompose.upscale;

/** Base of every error the upscaler reports; the message says what went wrong and what to do. */
public class UpscaleException extends RuntimeException {
    public UpscaleException(String message) {
        super(message);
    }

    public UpscaleException(String message, Throwable cause) {
        super(message, cause);
    }
}
