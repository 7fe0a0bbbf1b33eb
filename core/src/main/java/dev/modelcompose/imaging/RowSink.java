package dev.modelcompose.imaging;

import java.io.IOException;

/**
 * Takes an image from top to bottom, a band of whole rows at a time, as a tiled upscaler finishes them, so that an
 * image far larger than memory can be written while it is made: memory is set by the band, not the image.
 */
public interface RowSink extends AutoCloseable {
    int width();

    int height();

    /** 8-bit channels a pixel: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA, interleaved. */
    int channels();

    /**
     * The next {@code rows} rows from the top: {@code rows * width() * channels()} bytes from {@code offset}.
     *
     * @throws IllegalArgumentException past the last row
     */
    void writeRows(byte[] pixels, int offset, int rows) throws IOException;

    /** Finishes the file. @throws IOException when rows are missing (the file is then incomplete and must not be used) */
    @Override
    void close() throws IOException;
}
