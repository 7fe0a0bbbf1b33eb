package dev.modelcompose.imaging;

import java.awt.image.BufferedImage;
import java.util.Hashtable;
import java.util.Objects;

/**
 * Lets an image carry the metadata of the file it was read from through a workflow: the metadata rides along as a
 * property of the {@link BufferedImage}, and {@link ImageFiles#encode(BufferedImage, ImageFormat)} and
 * {@link ImageFiles#write(BufferedImage, java.nio.file.Path, ImageFormat)} store it in the output.
 */
public final class ImageMetadataCarrier {
    private static final String PROPERTY = ImageMetadata.class.getName();

    private ImageMetadataCarrier() {}

    /**
     * The image carrying {@code metadata} (none: carrying nothing). A different image object sharing the pixels
     * (the raster is not copied) and of the same type; the image itself when there is nothing to change.
     */
    public static BufferedImage attach(BufferedImage image, ImageMetadata metadata) {
        Objects.requireNonNull(image, "image");
        ImageMetadata wanted = metadata == null ? ImageMetadata.NONE : metadata;
        if (wanted.equals(of(image))) return image;
        Hashtable<String, Object> properties = new Hashtable<>();
        String[] names = image.getPropertyNames();
        if (names != null) {
            for (String name : names) {
                Object value = image.getProperty(name);
                if (!name.equals(PROPERTY) && value != null) properties.put(name, value);
            }
        }
        if (!wanted.isEmpty()) properties.put(PROPERTY, wanted);
        return new BufferedImage(image.getColorModel(), image.getRaster(), image.isAlphaPremultiplied(), properties);
    }

    /** The image as read, carrying its metadata. */
    public static BufferedImage attach(ImageWithMetadata read) {
        return attach(read.image(), read.metadata());
    }

    /** The metadata the image carries; {@link ImageMetadata#NONE} if none. */
    public static ImageMetadata of(BufferedImage image) {
        return image.getProperty(PROPERTY) instanceof ImageMetadata m ? m : ImageMetadata.NONE;
    }
}
