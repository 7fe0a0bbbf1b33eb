package dev.modelcompose.runtime;

import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.memory.ImageCosts;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a finished task's output into what a server keeps: every image encoded once as PNG and every file or byte
 * value copied, as {@link StoredOutput}s (in memory up to {@link ImageCosts#ENCODE_IN_MEMORY} each, in a file of
 * {@code dir} beyond). Other values stay as they are.
 */
public final class OutputStore {
    private final Path dir;

    public OutputStore(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** @throws UncheckedIOException when an image cannot be encoded or a file cannot be written */
    Object keep(Object output) {
        if (output instanceof BufferedImage img) return store("image/png", null, out -> ImageFiles.encode(img, ImageFormat.PNG, out));
        if (output instanceof StoredOutput s) return s;
        if (output instanceof ByteSource b) return store(b.mediaType(), b.filename(), out -> {
            try (InputStream in = b.open()) {
                in.transferTo(out);
            }
        });
        if (output instanceof byte[] bytes) return new StoredOutput("application/octet-stream", null, bytes, null, bytes.length);
        if (output instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, keep(v)));
            return out;
        }
        if (output instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) out.add(keep(item));
            return out;
        }
        return output;
    }

    /** Every stored output inside a kept value. */
    static List<StoredOutput> outputsOf(Object kept) {
        List<StoredOutput> out = new ArrayList<>();
        collect(kept, out);
        return out;
    }

    private static void collect(Object v, List<StoredOutput> out) {
        if (v instanceof StoredOutput s) out.add(s);
        else if (v instanceof Map<?, ?> m) m.values().forEach(x -> collect(x, out));
        else if (v instanceof List<?> l) l.forEach(x -> collect(x, out));
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private StoredOutput store(String mediaType, String filename, Writer writer) {
        Spool spool = new Spool(dir, ImageCosts.ENCODE_IN_MEMORY);
        try {
            writer.write(spool);
            spool.close();
            return spool.stored(mediaType, filename);
        } catch (IOException e) {
            spool.discard();
            throw new UncheckedIOException("cannot keep the output: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            spool.discard();
            throw e;
        }
    }

    /** Bytes kept in memory up to a limit, then in a file. */
    private static final class Spool extends OutputStream {
        private final Path dir;
        private final long memoryLimit;
        private ByteArrayOutputStream memory = new ByteArrayOutputStream();
        private Path file;
        private OutputStream fileOut;
        private long size;

        Spool(Path dir, long memoryLimit) {
            this.dir = dir;
            this.memoryLimit = memoryLimit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (fileOut == null && size + len > memoryLimit) {
                file = Files.createTempFile(dir, "output-", ".bin");
                fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                memory.writeTo(fileOut);
                memory = null;
            }
            if (fileOut != null) fileOut.write(b, off, len);
            else memory.write(b, off, len);
            size += len;
        }

        @Override
        public void close() throws IOException {
            if (fileOut != null) fileOut.close();
        }

        StoredOutput stored(String mediaType, String filename) {
            return file == null ? new StoredOutput(mediaType, filename, memory.toByteArray(), null, size)
                    : new StoredOutput(mediaType, filename, null, file, size);
        }

        void discard() {
            try {
                if (fileOut != null) fileOut.close();
                if (file != null) Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file in the server's directory, which goes when it stops
            }
        }
    }
}
