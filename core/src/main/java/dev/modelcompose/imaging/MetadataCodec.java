package dev.modelcompose.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Finds ICC profiles and EXIF blocks in PNG, JPEG and WebP bytes, puts them into PNG and JPEG bytes, and applies the
 * EXIF orientation. Parsing never throws: broken or hostile metadata is ignored (the pixels decide whether a file is
 * readable), and every length is checked against the bytes present and against {@link #MAX_PROFILE}.
 */
final class MetadataCodec {
    /** The largest ICC profile kept (inflated); bigger ones are dropped rather than risk a decompression bomb. */
    static final int MAX_PROFILE = 4 << 20;
    static final int ORIENTATION_TAG = 0x0112;

    private static final byte[] EXIF_PREFIX = {'E', 'x', 'i', 'f', 0, 0};
    private static final byte[] ICC_PREFIX = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    /** Room for one ICC chunk in an APP2 segment: 65535 minus the length field, the prefix, the sequence bytes. */
    private static final int ICC_CHUNK = 65535 - 2 - 12 - 2;

    private MetadataCodec() {}

    // ------------------------------------------------------------------------------------------ reading

    static ImageMetadata fromJpeg(byte[] b) {
        try {
            byte[] exif = null;
            byte[][] iccChunks = null;
            int pos = 2;
            while (pos + 4 <= b.length) {
                if ((b[pos] & 0xFF) != 0xFF) break;
                int marker = b[pos + 1] & 0xFF;
                if (marker == 0xFF) { pos++; continue; }
                if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { pos += 2; continue; }
                if (marker == 0xDA || marker == 0xD9) break; // start of scan: metadata comes before it
                int length = u16be(b, pos + 2);
                if (length < 2 || pos + 2 + length > b.length) break;
                int start = pos + 4, end = pos + 2 + length;
                if (marker == 0xE1 && exif == null && startsWith(b, start, end, EXIF_PREFIX)) {
                    exif = Arrays.copyOfRange(b, start + EXIF_PREFIX.length, end);
                } else if (marker == 0xE2 && startsWith(b, start, end, ICC_PREFIX) && end - start >= 14) {
                    int seq = b[start + 12] & 0xFF, count = b[start + 13] & 0xFF;
                    if (count > 0 && seq >= 1 && seq <= count) {
                        if (iccChunks == null) iccChunks = new byte[count][];
                        if (iccChunks.length == count) iccChunks[seq - 1] = Arrays.copyOfRange(b, start + 14, end);
                    }
                }
                pos = end;
            }
            return finish(join(iccChunks), exif);
        } catch (RuntimeException e) {
            return ImageMetadata.NONE;
        }
    }

    static ImageMetadata fromPng(byte[] b) {
        try {
            byte[] icc = null, exif = null;
            int pos = 8;
            while (pos + 12 <= b.length) {
                long length = u32be(b, pos);
                if (length > b.length - pos - 12) break;
                String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
                int start = pos + 8, end = start + (int) length;
                if (type.equals("iCCP") && icc == null) {
                    int zero = start;
                    while (zero < end && zero < start + 80 && b[zero] != 0) zero++;
                    if (zero + 2 <= end && b[zero + 1] == 0) icc = inflate(b, zero + 2, end);
                } else if (type.equals("eXIf") && exif == null) {
                    exif = Arrays.copyOfRange(b, start, end);
                    if (startsWith(exif, 0, exif.length, EXIF_PREFIX)) exif = Arrays.copyOfRange(exif, 6, exif.length);
                } else if (type.equals("IEND")) {
                    break;
                }
                pos = end + 4;
            }
            return finish(icc, exif);
        } catch (RuntimeException e) {
            return ImageMetadata.NONE;
        }
    }

    static ImageMetadata fromWebp(byte[] b) {
        try {
            byte[] icc = null, exif = null;
            int pos = 12;
            while (pos + 8 <= b.length) {
                long length = u32le(b, pos + 4);
                if (length > b.length - pos - 8) break;
                String type = new String(b, pos, 4, StandardCharsets.ISO_8859_1);
                int start = pos + 8, end = start + (int) length;
                if (type.equals("ICCP") && icc == null && length <= MAX_PROFILE) icc = Arrays.copyOfRange(b, start, end);
                if (type.equals("EXIF") && exif == null) {
                    exif = Arrays.copyOfRange(b, start, end);
                    if (startsWith(exif, 0, exif.length, EXIF_PREFIX)) exif = Arrays.copyOfRange(exif, 6, exif.length);
                }
                pos = end + (int) (length & 1);
            }
            return finish(icc, exif);
        } catch (RuntimeException e) {
            return ImageMetadata.NONE;
        }
    }

    private static ImageMetadata finish(byte[] icc, byte[] exif) {
        if (icc != null && (icc.length < 128 || icc.length > MAX_PROFILE)) icc = null;
        if (exif != null && !isTiff(exif)) exif = null;
        int orientation = exif == null ? 1 : orientation(exif);
        if (orientation < 1 || orientation > 8) orientation = 1;
        if (orientation != 1) exif = withOrientation(exif, 1);
        return new ImageMetadata(icc, exif, orientation);
    }

    private static byte[] join(byte[][] chunks) {
        if (chunks == null) return null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] chunk : chunks) {
            if (chunk == null) return null; // a missing piece: the profile is unusable
            out.write(chunk, 0, chunk.length);
            if (out.size() > MAX_PROFILE) return null;
        }
        return out.toByteArray();
    }

    private static byte[] inflate(byte[] b, int start, int end) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(b, start, end - start);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) return null;
                out.write(buffer, 0, n);
                if (out.size() > MAX_PROFILE) return null;
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    // ------------------------------------------------------------------------------------------ EXIF orientation

    static boolean isTiff(byte[] t) {
        return t.length >= 8 && ((t[0] == 'I' && t[1] == 'I' && t[2] == 42 && t[3] == 0) || (t[0] == 'M' && t[1] == 'M' && t[2] == 0 && t[3] == 42));
    }

    /** Offset of the orientation entry's value in IFD0, or -1. */
    private static int orientationValueOffset(byte[] t) {
        if (!isTiff(t)) return -1;
        boolean le = t[0] == 'I';
        long ifd = le ? u32le(t, 4) : u32be(t, 4);
        if (ifd < 8 || ifd + 2 > t.length) return -1;
        int count = le ? u16le(t, (int) ifd) : u16be(t, (int) ifd);
        for (int i = 0; i < count; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > t.length) return -1;
            int tag = le ? u16le(t, entry) : u16be(t, entry);
            int type = le ? u16le(t, entry + 2) : u16be(t, entry + 2);
            if (tag == ORIENTATION_TAG) return type == 3 ? entry + 8 : -1;
        }
        return -1;
    }

    /** The orientation stored in IFD0 of a TIFF/EXIF block, 1 if none. */
    static int orientation(byte[] t) {
        try {
            int at = orientationValueOffset(t);
            if (at < 0) return 1;
            return t[0] == 'I' ? u16le(t, at) : u16be(t, at);
        } catch (RuntimeException e) {
            return 1;
        }
    }

    /** A copy with the orientation set to {@code value} (unchanged if it has no orientation entry). */
    static byte[] withOrientation(byte[] t, int value) {
        byte[] copy = t.clone();
        int at = orientationValueOffset(copy);
        if (at < 0) return copy;
        if (copy[0] == 'I') {
            copy[at] = (byte) value;
            copy[at + 1] = 0;
        } else {
            copy[at] = 0;
            copy[at + 1] = (byte) value;
        }
        return copy;
    }

    /** The image turned upright for EXIF orientation 2..8 (a new image of the same type); itself for 1. */
    static BufferedImage orient(BufferedImage image, int orientation) {
        if (orientation < 2 || orientation > 8) return image;
        int w = image.getWidth(), h = image.getHeight();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        ColorModel cm = image.getColorModel();
        int type = image.getType();
        // A standard type is recreated as such (a raster from cm.createCompatibleWritableRaster can order the bands
        // differently, e.g. RGB for a BGR image, and would make a TYPE_CUSTOM image).
        BufferedImage out = type != BufferedImage.TYPE_CUSTOM && !(cm instanceof java.awt.image.IndexColorModel)
                ? new BufferedImage(ow, oh, type) : null;
        WritableRaster dst = out != null ? out.getRaster() : cm.createCompatibleWritableRaster(ow, oh);
        Raster src = image.getRaster();
        if (out != null && (type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB || type == BufferedImage.TYPE_BYTE_GRAY
                || type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_4BYTE_ABGR)) {
            // The standard types ImageFiles returns: one array, no gaps (a fresh image from a decoder), so copy
            // elements directly; the general path below costs a call per pixel.
            java.awt.image.DataBuffer sb = src.getDataBuffer(), db = dst.getDataBuffer();
            java.awt.image.SampleModel sm = src.getSampleModel();
            int n = type == BufferedImage.TYPE_3BYTE_BGR ? 3 : type == BufferedImage.TYPE_4BYTE_ABGR ? 4 : 1;
            boolean packed = sb.getNumBanks() == 1 && sb.getOffset() == 0 && src.getSampleModelTranslateX() == 0
                    && src.getSampleModelTranslateY() == 0 && sm.getWidth() == w && (long) w * h * n == sb.getSize();
            if (packed && sb instanceof java.awt.image.DataBufferInt) {
                int[] from = ((java.awt.image.DataBufferInt) sb).getData(), to = ((java.awt.image.DataBufferInt) db).getData();
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) to[target(orientation, x, y, w, h, ow)] = from[y * w + x];
                }
                return out;
            }
            if (packed && sb instanceof java.awt.image.DataBufferByte) {
                byte[] from = ((java.awt.image.DataBufferByte) sb).getData(), to = ((java.awt.image.DataBufferByte) db).getData();
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) System.arraycopy(from, (y * w + x) * n, to, target(orientation, x, y, w, h, ow) * n, n);
                }
                return out;
            }
        }
        Object pixel = null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                pixel = src.getDataElements(x, y, pixel);
                int X, Y;
                switch (orientation) {
                    case 2: X = w - 1 - x; Y = y; break;
                    case 3: X = w - 1 - x; Y = h - 1 - y; break;
                    case 4: X = x; Y = h - 1 - y; break;
                    case 5: X = y; Y = x; break;
                    case 6: X = h - 1 - y; Y = x; break;
                    case 7: X = h - 1 - y; Y = w - 1 - x; break;
                    default: X = y; Y = w - 1 - x; break;
                }
                dst.setDataElements(X, Y, pixel);
            }
        }
        return out != null ? out : new BufferedImage(cm, dst, cm.isAlphaPremultiplied(), null);
    }

    /** The index in the upright image (width {@code ow}) of stored pixel (x, y); the same mapping as {@link #orient}'s. */
    private static int target(int orientation, int x, int y, int w, int h, int ow) {
        switch (orientation) {
            case 2: return y * ow + (w - 1 - x);
            case 3: return (h - 1 - y) * ow + (w - 1 - x);
            case 4: return (h - 1 - y) * ow + x;
            case 5: return x * ow + y;
            case 6: return x * ow + (h - 1 - y);
            case 7: return (w - 1 - x) * ow + (h - 1 - y);
            default: return (w - 1 - x) * ow + y;
        }
    }

    // ------------------------------------------------------------------------------------------ writing

    /** The metadata without its ICC profile if the profile is for gray and the image is not, or the other way round. */
    static ImageMetadata fitting(ImageMetadata metadata, boolean grayImage) {
        byte[] icc = metadata.icc();
        if (icc == null || icc.length < 20) return metadata;
        boolean grayProfile = icc[16] == 'G' && icc[17] == 'R' && icc[18] == 'A' && icc[19] == 'Y';
        boolean rgbProfile = icc[16] == 'R' && icc[17] == 'G' && icc[18] == 'B' && icc[19] == ' ';
        if (grayImage ? grayProfile : rgbProfile) return metadata;
        return new ImageMetadata(null, metadata.exif(), metadata.orientation());
    }

    /** PNG bytes with iCCP and eXIf chunks added after IHDR (any the encoder wrote of those types are kept out). */
    static byte[] intoPng(byte[] png, ImageMetadata metadata) {
        if (metadata == null || metadata.isEmpty()) return png;
        int ihdrEnd = 8 + 12 + (int) u32be(png, 8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + 1024);
        out.write(png, 0, ihdrEnd);
        byte[] chunks = pngChunks(metadata);
        out.write(chunks, 0, chunks.length);
        int pos = ihdrEnd;
        while (pos + 12 <= png.length) {
            int length = (int) u32be(png, pos);
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            int next = pos + 12 + length;
            if (!replacedByPngChunks(type, metadata)) out.write(png, pos, next - pos);
            pos = next;
        }
        return out.toByteArray();
    }

    /**
     * A still WebP with ICCP and EXIF chunks: the encoder's simple-format file (one VP8L or VP8 chunk) is rewrapped
     * in the extended format (VP8X, ICCP, image, EXIF). Anything else is returned unchanged.
     */
    static byte[] intoWebp(byte[] webp, ImageMetadata metadata) {
        if (metadata == null || metadata.isEmpty() || webp.length < 30) return webp;
        String first = new String(webp, 12, 4, StandardCharsets.ISO_8859_1);
        long length = u32le(webp, 16);
        if (length > webp.length - 20) return webp;
        int width, height;
        boolean alpha;
        if (first.equals("VP8L") && (webp[20] & 0xFF) == 0x2F) {
            long bits = u32le(webp, 21);
            width = (int) (bits & 0x3FFF) + 1;
            height = (int) (bits >>> 14 & 0x3FFF) + 1;
            alpha = (bits >>> 28 & 1) != 0;
        } else if (first.equals("VP8 ") && length >= 10) {
            width = u16le(webp, 26) & 0x3FFF;
            height = u16le(webp, 28) & 0x3FFF;
            alpha = false;
        } else {
            return webp;
        }
        byte[] icc = metadata.icc(), exif = metadata.exif();
        ByteArrayOutputStream body = new ByteArrayOutputStream(webp.length + 1024);
        body.write('W'); body.write('E'); body.write('B'); body.write('P');
        byte[] vp8x = new byte[10];
        vp8x[0] = (byte) ((icc != null ? 0x20 : 0) | (alpha ? 0x10 : 0) | (exif != null ? 0x08 : 0));
        vp8x[4] = (byte) (width - 1); vp8x[5] = (byte) ((width - 1) >> 8); vp8x[6] = (byte) ((width - 1) >> 16);
        vp8x[7] = (byte) (height - 1); vp8x[8] = (byte) ((height - 1) >> 8); vp8x[9] = (byte) ((height - 1) >> 16);
        riffChunk(body, "VP8X", vp8x, 0, vp8x.length);
        if (icc != null) riffChunk(body, "ICCP", icc, 0, icc.length);
        riffChunk(body, first, webp, 20, (int) length);
        if (exif != null) riffChunk(body, "EXIF", exif, 0, exif.length);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 8);
        out.write('R'); out.write('I'); out.write('F'); out.write('F');
        writeU32le(out, b.length);
        out.write(b, 0, b.length);
        return out.toByteArray();
    }

    private static void riffChunk(ByteArrayOutputStream out, String type, byte[] data, int from, int length) {
        out.write(type.getBytes(StandardCharsets.ISO_8859_1), 0, 4);
        writeU32le(out, length);
        out.write(data, from, length);
        if ((length & 1) != 0) out.write(0);
    }

    private static void writeU32le(ByteArrayOutputStream out, long v) {
        out.write((int) v);
        out.write((int) (v >>> 8));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 24));
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        writeU32(out, data.length);
        out.write(t, 0, 4);
        out.write(data, 0, data.length);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        writeU32(out, crc.getValue());
    }

    /** The iCCP and eXIf chunks of the metadata, in that order, as they go after a PNG's IHDR. */
    static byte[] pngChunks(ImageMetadata metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] icc = metadata.icc();
        if (icc != null) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            byte[] name = "ICC profile".getBytes(StandardCharsets.ISO_8859_1);
            data.write(name, 0, name.length);
            data.write(0);
            data.write(0); // compression method: deflate
            Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
            deflater.setInput(icc);
            deflater.finish();
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) data.write(buffer, 0, deflater.deflate(buffer));
            deflater.end();
            chunk(out, "iCCP", data.toByteArray());
        }
        byte[] exif = metadata.exif();
        if (exif != null) chunk(out, "eXIf", exif);
        return out.toByteArray();
    }

    /** Whether a chunk of this type is left out when the metadata's own chunks are added. */
    static boolean replacedByPngChunks(String type, ImageMetadata metadata) {
        return metadata.icc() != null && (type.equals("iCCP") || type.equals("sRGB")) || metadata.exif() != null && type.equals("eXIf");
    }

    /** JPEG bytes with an APP1 EXIF segment and APP2 ICC segments after SOI and any JFIF APP0. */
    static byte[] intoJpeg(byte[] jpeg, ImageMetadata metadata) {
        if (metadata == null || metadata.isEmpty()) return jpeg;
        int insert = 2;
        if (jpeg.length > 6 && (jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) insert = 4 + u16be(jpeg, 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + 1024);
        out.write(jpeg, 0, insert);
        byte[] exif = metadata.exif();
        if (exif != null && exif.length + EXIF_PREFIX.length + 2 <= 65535) {
            out.write(0xFF);
            out.write(0xE1);
            writeU16(out, exif.length + EXIF_PREFIX.length + 2);
            out.write(EXIF_PREFIX, 0, EXIF_PREFIX.length);
            out.write(exif, 0, exif.length);
        }
        byte[] icc = metadata.icc();
        if (icc != null) {
            int count = (icc.length + ICC_CHUNK - 1) / ICC_CHUNK;
            if (count <= 255) {
                for (int i = 0; i < count; i++) {
                    int from = i * ICC_CHUNK, n = Math.min(ICC_CHUNK, icc.length - from);
                    out.write(0xFF);
                    out.write(0xE2);
                    writeU16(out, 2 + ICC_PREFIX.length + 2 + n);
                    out.write(ICC_PREFIX, 0, ICC_PREFIX.length);
                    out.write(i + 1);
                    out.write(count);
                    out.write(icc, from, n);
                }
            }
        }
        out.write(jpeg, insert, jpeg.length - insert);
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------------ bytes

    private static boolean startsWith(byte[] b, int start, int end, byte[] prefix) {
        if (end - start < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[start + i] != prefix[i]) return false;
        return true;
    }

    private static int u16be(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static int u16le(byte[] b, int at) {
        return (b[at + 1] & 0xFF) << 8 | (b[at] & 0xFF);
    }

    private static long u32be(byte[] b, int at) {
        return ((long) u16be(b, at) << 16) | u16be(b, at + 2);
    }

    private static long u32le(byte[] b, int at) {
        return ((long) u16le(b, at + 2) << 16) | u16le(b, at);
    }

    private static void writeU16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeU32(ByteArrayOutputStream out, long v) {
        writeU16(out, (int) (v >>> 16) & 0xFFFF);
        writeU16(out, (int) v & 0xFFFF);
    }
}
