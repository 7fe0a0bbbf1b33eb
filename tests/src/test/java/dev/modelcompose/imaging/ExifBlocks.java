package dev.modelcompose.imaging;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Hand-built EXIF (TIFF) blocks like a camera's, and a reader for the tags the tests look at. */
public final class ExifBlocks {
    public static final int ORIENTATION = 0x0112, EXIF_IFD = 0x8769, PIXEL_X = 0xA002, PIXEL_Y = 0xA003;
    public static final int SHORT = 3, LONG = 4, ASCII = 2;
    /** Where {@link #photo}'s IFD1 (the thumbnail's IFD) starts. */
    public static final int IFD1 = 68;

    private ExifBlocks() {}

    /**
     * IFD0 (orientation, pointer to the Exif IFD; next IFD: IFD1), the Exif IFD (PixelXDimension and PixelYDimension
     * of the given types) and IFD1 (a thumbnail offset entry).
     */
    public static byte[] photo(ByteOrder order, int orientation, int xType, long x, int yType, long y) {
        ByteBuffer b = ByteBuffer.allocate(86).order(order);
        b.put(order == ByteOrder.BIG_ENDIAN ? new byte[] {'M', 'M', 0, 42} : new byte[] {'I', 'I', 42, 0}).putInt(8);
        b.putShort((short) 2);
        entry(b, ORIENTATION, SHORT, orientation);
        entry(b, EXIF_IFD, LONG, 38);
        b.putInt(IFD1);
        b.putShort((short) 2);
        entry(b, PIXEL_X, xType, x);
        entry(b, PIXEL_Y, yType, y);
        b.putInt(0);
        b.putShort((short) 1);
        entry(b, 0x0201, LONG, 86);
        b.putInt(0);
        return b.array();
    }

    /** A big-endian {@link #photo} with SHORT dimensions. */
    public static byte[] photo(int orientation, int width, int height) {
        return photo(ByteOrder.BIG_ENDIAN, orientation, SHORT, width, SHORT, height);
    }

    static void entry(ByteBuffer b, int tag, int type, long value) {
        b.putShort((short) tag).putShort((short) type).putInt(1);
        if (type == SHORT) b.putShort((short) value).putShort((short) 0);
        else b.putInt((int) value);
    }

    /** The value of {@code tag} in IFD0 or the Exif IFD as its type (SHORT or LONG) says; -1 if absent. */
    public static long value(byte[] tiff, int tag) {
        ByteBuffer b = buffer(tiff);
        int entry = entry(tiff, tag);
        if (entry < 0) return -1;
        return b.getShort(entry + 2) == SHORT ? b.getShort(entry + 8) & 0xFFFF : b.getInt(entry + 8) & 0xFFFFFFFFL;
    }

    /** The type of {@code tag}'s entry in IFD0 or the Exif IFD; -1 if absent. */
    public static int type(byte[] tiff, int tag) {
        int entry = entry(tiff, tag);
        return entry < 0 ? -1 : buffer(tiff).getShort(entry + 2);
    }

    /** IFD0's next-IFD offset: where IFD1 (the thumbnail) is, 0 if none. */
    public static long nextIfd(byte[] tiff) {
        ByteBuffer b = buffer(tiff);
        int ifd0 = b.getInt(4);
        return b.getInt(ifd0 + 2 + 12 * b.getShort(ifd0)) & 0xFFFFFFFFL;
    }

    private static int entry(byte[] tiff, int tag) {
        ByteBuffer b = buffer(tiff);
        int ifd = b.getInt(4);
        for (int pass = 0; pass < 2 && ifd > 0; pass++) {
            int exifIfd = 0;
            for (int i = 0; i < b.getShort(ifd); i++) {
                int entry = ifd + 2 + 12 * i;
                if (b.getShort(entry) == (short) tag) return entry;
                if (b.getShort(entry) == (short) EXIF_IFD) exifIfd = b.getInt(entry + 8);
            }
            ifd = exifIfd;
        }
        return -1;
    }

    private static ByteBuffer buffer(byte[] tiff) {
        return ByteBuffer.wrap(tiff).order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    }
}
