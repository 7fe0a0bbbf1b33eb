package dev.modelcompose.models;

import dev.modelcompose.upscale.ModelFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /**
     * Copies converted files into the cache under the entry's names (each through a temporary file
     * renamed into place, so a reader never sees half a file) and returns the cached files.
     */
    public ModelFiles install(CatalogEntry entry, ModelFiles converted) throws IOException {
        ModelFiles target = files(entry);
        Files.createDirectories(dir);
        // .bin first: contains() looks for both, and a .param without its .bin is never loaded
        installOne(converted.bin(), target.bin());
        installOne(converted.param(), target.param());
        return target;
    }

    private void installOne(Path from, Path to) throws IOException {
        if (from.toAbsolutePath().normalize().equals(to.toAbsolutePath().normalize())) return;
        Path temp = Files.createTempFile(dir, "." + to.getFileName() + "-", ".part");
        try {
            Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
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
