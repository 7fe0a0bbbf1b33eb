package dev.modelcompose.imaging;

import java.util.Arrays;

/**
 * The metadata of an image file that is carried from input to output: its ICC colour profile and its EXIF block.
 *
 * <p>{@code icc} is the raw ICC profile (as {@link java.awt.color.ICC_Profile#getData()} returns it); {@code exif} is
 * the EXIF TIFF structure (starting {@code II*\0} or {@code MM\0*}, without JPEG's {@code Exif\0\0} prefix). Either
 * may be null. {@code orientation} is the EXIF orientation the file declared (1..8, 1 when absent or invalid); when
 * it was 2..8 the image has been turned upright on reading and the orientation stored in {@code exif} is reset to 1,
 * so a viewer does not turn the output a second time.
 */
public record ImageMetadata(byte[] icc, byte[] exif, int orientation) {
    /** No profile, no EXIF. */
    public static final ImageMetadata NONE = new ImageMetadata(null, null, 1);

    public ImageMetadata {
        icc = icc == null || icc.length == 0 ? null : icc.clone();
        exif = exif == null || exif.length == 0 ? null : exif.clone();
        if (orientation < 1 || orientation > 8) orientation = 1;
    }

    @Override
    public byte[] icc() {
        return icc == null ? null : icc.clone();
    }

    @Override
    public byte[] exif() {
        return exif == null ? null : exif.clone();
    }

    public boolean isEmpty() {
        return icc == null && exif == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageMetadata m && Arrays.equals(icc, m.icc) && Arrays.equals(exif, m.exif) && orientation == m.orientation;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(icc) + Arrays.hashCode(exif)) + orientation;
    }

    @Override
    public String toString() {
        return "ImageMetadata[icc=" + (icc == null ? "none" : icc.length + " bytes") + ", exif="
                + (exif == null ? "none" : exif.length + " bytes") + ", orientation=" + orientation + "]";
    }
}
