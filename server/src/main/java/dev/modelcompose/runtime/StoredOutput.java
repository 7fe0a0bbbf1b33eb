package dev.modelcompose.runtime;

import dev.modelcompose.expr.ByteSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An output of a finished task, encoded once (images as PNG) and kept in memory or in a file, from which every client
 * that asks for it is served. The {@link FinishedTasks} that holds it may move it to disk ({@link #spill}) or forget it
 * ({@link #drop}) to stay within its budgets; a client already reading it keeps reading (an unlinked file stays
 * readable while open).
 */
public final class StoredOutput implements ByteSource {
    private final String mediaType;
    private final String filename;
    private final long size;
    private byte[] data;
    private Path file;
    private boolean dropped;

    StoredOutput(String mediaType, String filename, byte[] data, Path file, long size) {
        this.mediaType = mediaType;
        this.filename = filename;
        this.data = data;
        this.file = file;
        this.size = size;
    }

    @Override
    public String filename() {
        return filename;
    }

    @Override
    public String mediaType() {
        return mediaType;
    }

    /** The encoded length in bytes. */
    public long size() {
        return size;
    }

    /** @throws OutputGoneException when the output is no longer kept */
    @Override
    public synchronized InputStream open() throws IOException {
        if (dropped) throw new OutputGoneException();
        return data != null ? new ByteArrayInputStream(data) : Files.newInputStream(file);
    }

    synchronized long memoryBytes() {
        return data == null ? 0 : data.length;
    }

    synchronized long diskBytes() {
        return file == null ? 0 : size;
    }

    /** Moves the bytes from memory into a new file in {@code dir}. */
    synchronized void spill(Path dir) throws IOException {
        if (data == null || dropped) return;
        Path f = Files.createTempFile(dir, "output-", ".bin");
        try {
            Files.write(f, data);
        } catch (IOException e) {
            Files.deleteIfExists(f);
            throw e;
        }
        file = f;
        data = null;
    }

    /** Forgets the bytes and deletes the file. */
    synchronized void drop() {
        dropped = true;
        data = null;
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the directory goes when the server stops
            }
        }
    }

    @Override
    public String toString() {
        return "<" + mediaType + " " + size + " bytes" + (filename == null ? "" : " " + filename) + ">";
    }

    /** Reading an output that its task no longer keeps. */
    public static final class OutputGoneException extends IOException {
        OutputGoneException() {
            super("the output is no longer kept");
        }
    }
}
