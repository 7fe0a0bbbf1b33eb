package dev.modelcompose.imaging;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of the WebP (RIFF) container to take the first frame out of an animated file: libwebp's simple
 * decoder, which webp-imageio uses, refuses animations. See https://developers.google.com/speed/webp/docs/riff_container.
 */
final class WebpContainer {
    private static final int ANIMATION_FLAG = 0x02;
    private static final int ALPHA_FLAG = 0x10;

    /** The first frame of an animation as a still WebP file, and where it sits on the canvas. */
    record Frame(byte[] still, int x, int y, int width, int height, int canvasWidth, int canvasHeight) {
        boolean coversCanvas() {
            return x == 0 && y == 0 && width == canvasWidth && height == canvasHeight;
        }
    }

    private WebpContainer() {}

    /** Whether the file has the VP8X chunk with the animation flag set. */
    static boolean isAnimated(byte[] webp) {
        return webp.length >= 30 && fourcc(webp, 12, "VP8X") && (webp[20] & ANIMATION_FLAG) != 0;
    }

    /** Canvas width and height from the VP8X chunk (only valid when {@link #isAnimated} is true). */
    static int canvasWidth(byte[] webp) {
        return uint24(webp, 24) + 1;
    }

    static int canvasHeight(byte[] webp) {
        return uint24(webp, 27) + 1;
    }

    /** The first ANMF frame as a still image file; null if the animation has no frame or a chunk runs past the end. */
    static Frame firstFrame(byte[] webp) {
        int canvasW = canvasWidth(webp), canvasH = canvasHeight(webp);
        int end = (int) Math.min(webp.length, 8L + uint32(webp, 4));
        int pos = 12;
        while (pos + 8 <= end) {
            long size = uint32(webp, pos + 4);
            int payload = pos + 8;
            if (size > end - payload) return null;
            if (fourcc(webp, pos, "ANMF")) {
                if (size < 16) return null;
                int x = uint24(webp, payload) * 2, y = uint24(webp, payload + 3) * 2;
                int w = uint24(webp, payload + 6) + 1, h = uint24(webp, payload + 9) + 1;
                return new Frame(still(webp, payload + 16, payload + (int) size, w, h), x, y, w, h, canvasW, canvasH);
            }
            pos = payload + (int) size + (int) (size & 1);
        }
        return null;
    }

    /** RIFF header, a VP8X chunk when there is an ALPH chunk, then the frame's ALPH/VP8/VP8L chunks. */
    private static byte[] still(byte[] webp, int from, int to, int w, int h) {
        ByteArrayOutputStream image = new ByteArrayOutputStream(to - from + 64);
        boolean alpha = false;
        for (int pos = from; pos + 8 <= to; ) {
            long size = uint32(webp, pos + 4);
            long next = pos + 8 + size + (size & 1);
            if (pos + 8 + size > to) break;
            if (fourcc(webp, pos, "ALPH") || fourcc(webp, pos, "VP8 ") || fourcc(webp, pos, "VP8L")) {
                alpha |= fourcc(webp, pos, "ALPH");
                image.write(webp, pos, (int) Math.min(next, to) - pos);
                if ((size & 1) != 0 && next > to) image.write(0);
            }
            pos = (int) next;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.size() + 40);
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        int riffSize = 4 + (alpha ? 18 : 0) + image.size();
        writeUint32(out, riffSize);
        out.writeBytes("WEBP".getBytes(StandardCharsets.US_ASCII));
        if (alpha) {
            out.writeBytes("VP8X".getBytes(StandardCharsets.US_ASCII));
            writeUint32(out, 10);
            out.write(ALPHA_FLAG);
            out.write(0);
            out.write(0);
            out.write(0);
            writeUint24(out, w - 1);
            writeUint24(out, h - 1);
        }
        out.write(image.toByteArray(), 0, image.size());
        return out.toByteArray();
    }

    static boolean fourcc(byte[] b, int at, String code) {
        if (at < 0 || at + 4 > b.length) return false;
        for (int i = 0; i < 4; i++) if (b[at + i] != (byte) code.charAt(i)) return false;
        return true;
    }

    private static int uint24(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16;
    }

    private static long uint32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    private static void writeUint24(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
    }

    private static void writeUint32(ByteArrayOutputStream out, long v) {
        writeUint24(out, (int) v);
        out.write((int) (v >>> 24));
    }
}
