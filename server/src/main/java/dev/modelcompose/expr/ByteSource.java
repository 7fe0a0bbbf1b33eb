package dev.modelcompose.expr;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Bytes with a name and a media type: an uploaded file, a file read through {@code ;path}, an image encoded by
 * {@code as image/png}. The HTTP layer hands uploads to workflows as these (a temp file above a size threshold).
 */
public interface ByteSource {
    /** A file name for messages and downloads, or null. */
    String filename();

    /** e.g. {@code image/png}, or {@code application/octet-stream} when unknown. */
    String mediaType();

    InputStream open() throws IOException;

    /** The file behind it, when there is one (images decode faster from files). */
    default Path path() {
        return null;
    }

    default byte[] bytes() {
        try (InputStream in = open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + (filename() == null ? "the data" : filename()) + ": " + e.getMessage(), e);
        }
    }

    static ByteSource of(byte[] bytes, String mediaType, String filename) {
        return new InMemory(bytes, mediaType == null ? "application/octet-stream" : mediaType, filename);
    }

    static ByteSource ofPath(Path path, String mediaType, String filename) {
        return new OnDisk(path, mediaType == null ? "application/octet-stream" : mediaType,
                filename == null ? path.getFileName().toString() : filename);
    }

    record InMemory(byte[] data, String mediaType, String filename) implements ByteSource {
        public InMemory {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public InputStream open() {
            return new ByteArrayInputStream(data);
        }

        @Override
        public byte[] bytes() {
            return data;
        }

        @Override
        public String toString() {
            return "<" + mediaType + " " + data.length + " bytes" + (filename == null ? "" : " " + filename) + ">";
        }
    }

    record OnDisk(Path file, String mediaType, String filename) implements ByteSource {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        public Path path() {
            return file;
        }

        @Override
        public String toString() {
            return "<" + mediaType + " " + filename + ">";
        }
    }
}
