package dev.modelcompose.imaging;

import java.awt.image.BufferedImage;
import java.util.Objects;

/** An image as read by {@link ImageFiles#readWithMetadata}: upright pixels plus the metadata to write back out. */
public record ImageWithMetadata(BufferedImage image, ImageMetadata metadata) {
    public ImageWithMetadata {
        Objects.requireNonNull(image, "image");
        if (metadata == null) metadata = ImageMetadata.NONE;
    }
}
