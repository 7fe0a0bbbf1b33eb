package dev.modelcompose.upscale;

/**
 * The host or a GPU ran out of memory: the input was fine, the machine could not hold the work at once. A smaller tile
 * ({@link UpscaleOptions#withTileSize}) or fewer concurrent runs may fit.
 */
public class InsufficientMemoryException extends UpscaleException {
    public InsufficientMemoryException(String message) {
        super(message);
    }
}
