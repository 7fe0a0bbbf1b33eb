package dev.modelcompose.imaging;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The formats model-compose writes. Reading accepts more (BMP and GIF too); see {@link ImageFiles#read(Path)}. */
public enum ImageFormat {
    PNG("png", true, Integer.MAX_VALUE),
    /** libjpeg's JPEG_MAX_DIMENSION. */
    JPG("jpg", false, 65500),
    /** libwebp's limit. */
    WEBP("webp", true, 16383);

    private final String extension;
    private final boolean alpha;
    private final int maxSide;

    ImageFormat(String extension, boolean alpha, int maxSide) {
        this.extension = extension;
        this.alpha = alpha;
        this.maxSide = maxSide;
    }

    /** The most pixels a side the format stores (PNG: 2^31 - 1). */
    public int maxSide() {
        return maxSide;
    }

    /** "PNG", "JPEG", "WebP": for messages. */
    public String label() {
        return switch (this) {
            case PNG -> "PNG";
            case JPG -> "JPEG";
            case WEBP -> "WebP";
        };
    }

    /** The file extension, lower case and without the dot: "png", "jpg" or "webp". */
    public String extension() {
        return extension;
    }

    /** Whether the format can store transparency (PNG and WebP can, JPG cannot). */
    public boolean supportsAlpha() {
        return alpha;
    }

    /**
     * The format with this name: png, jpg, jpeg or webp, in any case.
     *
     * @throws IllegalArgumentException for any other name; the message lists the valid ones
     */
    public static ImageFormat parse(String name) {
        ImageFormat format = name == null ? null : byName(name);
        if (format == null) {
            throw new IllegalArgumentException("unknown image format '" + name + "' (valid formats: png, jpg, jpeg, webp)");
        }
        return format;
    }

    /** The format the file name's extension names (png, jpg, jpeg, webp, in any case), or empty. */
    public static Optional<ImageFormat> fromPath(Path path) {
        Path fileName = path == null ? null : path.getFileName();
        if (fileName == null) return Optional.empty();
        String name = fileName.toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0 || dot == name.length() - 1) return Optional.empty();
        return Optional.ofNullable(byName(name.substring(dot + 1)));
    }

    private static ImageFormat byName(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "png": return PNG;
            case "jpg":
            case "jpeg": return JPG;
            case "webp": return WEBP;
            default: return null;
        }
    }
}
