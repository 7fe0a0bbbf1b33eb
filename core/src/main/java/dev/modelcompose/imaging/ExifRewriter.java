package dev.modelcompose.imaging;

/**
 * Fits an EXIF block (a TIFF structure) to the image it is written with: PixelXDimension and PixelYDimension in the
 * Exif sub-IFD become the image's size, and when the pixels were turned upright on reading the IFD1 thumbnail is
 * unlinked, since it still shows the stored orientation. Never throws: whatever part of the structure does not check
 * out (an offset outside the block, an entry of an unexpected type) is left as it is.
 */
final class ExifRewriter {
    static final int EXIF_IFD_POINTER = 0x8769;
    static final int PIXEL_X_DIMENSION = 0xA002;
    static final int PIXEL_Y_DIMENSION = 0xA003;
    private static final int SHORT = 3, LONG = 4, IFD = 13;

    private final byte[] t;
    private final boolean littleEndian;

    private ExifRewriter(byte[] t) {
        this.t = t;
        this.littleEndian = t[0] == 'I';
    }

    /**
     * A copy of {@code exif} with the pixel dimensions set to {@code width} x {@code height} and, if
     * {@code unlinkThumbnail}, IFD0's next-IFD offset set to 0. Null, or not a TIFF block: returned unchanged.
     */
    static byte[] forImage(byte[] exif, int width, int height, boolean unlinkThumbnail) {
        if (exif == null || !MetadataCodec.isTiff(exif)) return exif;
        try {
            ExifRewriter rewriter = new ExifRewriter(exif.clone());
            rewriter.rewrite(width, height, unlinkThumbnail);
            return rewriter.t;
        } catch (RuntimeException e) {
            return exif; // a check missed: keep the block as it came rather than fail the output
        }
    }

    private void rewrite(int width, int height, boolean unlinkThumbnail) {
        long ifd0 = u32(4);
        int count0 = entryCount(ifd0);
        if (count0 < 0) return;
        int pointer = find(ifd0, count0, EXIF_IFD_POINTER);
        if (pointer >= 0 && u32(pointer + 4) == 1 && (type(pointer) == LONG || type(pointer) == IFD)) {
            long exifIfd = u32(pointer + 8);
            int count = entryCount(exifIfd);
            if (count >= 0) {
                setDimension(find(exifIfd, count, PIXEL_X_DIMENSION), width);
                setDimension(find(exifIfd, count, PIXEL_Y_DIMENSION), height);
            }
        }
        long next = ifd0 + 2 + 12L * count0;
        if (unlinkThumbnail && next + 4 <= t.length) put32((int) next, 0);
    }

    /** The number of entries of the IFD at {@code offset} if they all lie inside the block, else -1. */
    private int entryCount(long offset) {
        if (offset < 8 || offset + 2 > t.length) return -1;
        int count = u16((int) offset);
        return offset + 2 + 12L * count <= t.length ? count : -1;
    }

    /** The offset of the entry with {@code tag}, or -1. */
    private int find(long ifd, int count, int tag) {
        for (int i = 0; i < count; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (u16(entry) == tag) return entry;
        }
        return -1;
    }

    private int type(int entry) {
        return u16(entry + 2);
    }

    /** One SHORT or LONG value, held in the entry itself; a SHORT too small for the value becomes a LONG. */
    private void setDimension(int entry, int value) {
        if (entry < 0 || u32(entry + 4) != 1 || value < 1) return;
        int type = type(entry);
        if (type == SHORT && value <= 0xFFFF) {
            put16(entry + 8, value);
            put16(entry + 10, 0);
        } else if (type == SHORT || type == LONG) {
            put16(entry + 2, LONG);
            put32(entry + 8, value);
        }
    }

    private int u16(int at) {
        int a = t[at] & 0xFF, b = t[at + 1] & 0xFF;
        return littleEndian ? b << 8 | a : a << 8 | b;
    }

    private long u32(int at) {
        long a = u16(at), b = u16(at + 2);
        return littleEndian ? b << 16 | a : a << 16 | b;
    }

    private void put16(int at, int v) {
        t[at + (littleEndian ? 0 : 1)] = (byte) v;
        t[at + (littleEndian ? 1 : 0)] = (byte) (v >>> 8);
    }

    private void put32(int at, long v) {
        put16(at + (littleEndian ? 0 : 2), (int) v & 0xFFFF);
        put16(at + (littleEndian ? 2 : 0), (int) (v >>> 16) & 0xFFFF);
    }
}
