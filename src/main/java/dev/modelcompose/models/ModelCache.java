package dev.modelcompose.models;

import dev.modelcompose.upscale.ModelFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where fetched models live: {@code $MODEL_COMPOSE_CACHE/models}, default
 * {@code ~/.cache/model-compose/models}. Files appear there only complete and verified.
 */
public final class ModelCache {
    private final Path dir;

    public ModelCache(Path dir) {
        this.dir = dir;
    }

    public static ModelCache standard() {
        String env = System.getenv("MODEL_COMPOSE_CACHE");
        Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "model-compose");
        return new ModelCache(root.resolve("models"));
    }

    public Path dir() {
        return dir;
    }

    public ModelFiles files(CatalogEntry entry) {
        return new ModelFiles(dir.resolve(entry.param().file()), dir.resolve(entry.bin().file()));
    }

    public boolean contains(CatalogEntry entry) {
        ModelFiles f = files(entry);
        return Files.isRegularFile(f.param()) && Files.isRegularFile(f.bin());
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStreamSink.INSTANCE);
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
