package dev.modelcompose.imaging;

/**
 * The image could not be read because the Java heap ran out, not because anything is wrong with the file: the same
 * file may read fine with more memory or fewer images in flight.
 */
public final class ImageMemoryException extends ImageReadException {
    public ImageMemoryException(String message) {
        super(message);
    }

    public ImageMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
