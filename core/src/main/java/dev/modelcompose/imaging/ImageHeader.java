package dev.modelcompose.imaging;

/**
 * What an image file's header says, read without decoding the pixels: what a server needs to decide whether it can
 * afford to decode and process the image at all.
 *
 * @param width    pixels, after the EXIF orientation (a sideways photo is as wide as it will be once upright)
 * @param height   pixels, after the EXIF orientation
 * @param channels the 8-bit channels the image has once decoded: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA (4 when the
 *                 header leaves it open)
 */
public record ImageHeader(int width, int height, int channels) {
    public long pixels() {
        return (long) width * height;
    }
}
