package dev.modelcompose.imaging;

import java.io.IOException;

/**
 * An image file that could not be read: missing, empty, not an image, corrupt, or too large.
 * The message names the file and says what is wrong in plain words, e.g.
 * {@code "photo.png: truncated or corrupt PNG data"}; it is fit to show to a user as is.
 */
public class ImageReadException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageReadException(String message) {
        super(message);
    }

    public ImageReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
