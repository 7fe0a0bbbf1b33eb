package dev.modelcompose.imaging;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Adds an image's iCCP and eXIf chunks to a PNG while the encoder writes it: they go right after IHDR, and chunks of
 * those types that the encoder writes itself are left out. Lets a large PNG carry its metadata without ever being
 * held in memory whole.
 */
final class PngMetadataStream extends FilterOutputStream {
    private static final int SIGNATURE = 8;

    private final byte[] chunks;
    private final boolean icc, exif;
    private final byte[] header = new byte[8];  // a chunk's length and type, until complete
    private long position;
    private int headerFill;
    private long chunkLeft;     // bytes of the current chunk's data and CRC still to come
    private boolean dropping;   // the current chunk is one the metadata replaces
    private boolean inserted;

    PngMetadataStream(OutputStream out, ImageMetadata metadata) {
        super(out);
        this.chunks = MetadataCodec.pngChunks(metadata);
        this.icc = metadata.icc() != null;
        this.exif = metadata.exif() != null;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n;
            if (position < SIGNATURE) {
                n = (int) Math.min(len, SIGNATURE - position);
                out.write(b, off, n);
            } else if (chunkLeft > 0) {
                n = (int) Math.min(len, chunkLeft);
                if (!dropping) out.write(b, off, n);
                chunkLeft -= n;
                if (chunkLeft == 0 && !inserted) insert();
            } else {
                n = Math.min(len, header.length - headerFill);
                System.arraycopy(b, off, header, headerFill, n);
                headerFill += n;
                if (headerFill == header.length) startChunk();
            }
            position += n;
            off += n;
            len -= n;
        }
    }

    /** A chunk header is complete: its data and CRC follow. */
    private void startChunk() throws IOException {
        headerFill = 0;
        long length = (header[0] & 0xFFL) << 24 | (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8 | header[3] & 0xFF;
        String type = new String(header, 4, 4, StandardCharsets.ISO_8859_1);
        dropping = inserted && (icc && (type.equals("iCCP") || type.equals("sRGB")) || exif && type.equals("eXIf"));
        if (!dropping) out.write(header);
        chunkLeft = length + 4;
    }

    /** After the first chunk (IHDR) ends. */
    private void insert() throws IOException {
        inserted = true;
        out.write(chunks);
    }
}
