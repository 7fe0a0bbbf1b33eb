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
import java.util.Locale;
import java.util.Optional;

/**
 * Where fetched models live: {@code $MODEL_COMPOSE_CACHE/models}, default
 * {@code ~/.cache/model-compose/models}. Files appear there only complete and verified, each with a record of its
 * size, time and SHA-256 ({@link CachedFileRecord}): loading checks size and time ({@link #check}), and a file that
 * changed since is hashed again; {@link #verify} hashes every file.
 */
public final class ModelCache {
    private final Path dir;

    public ModelCache(Path dir) {
        this.dir = dir;
    }

    /** The user's cache; temporaries that a killed download left there are removed first. */
    public static ModelCache standard() {
        String env = System.getenv("MODEL_COMPOSE_CACHE");
        Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "model-compose");
        ModelCache cache = new ModelCache(root.resolve("models"));
        TempFolders.removeAbandoned(cache.dir);
        return cache;
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
        Path temp = TempFolders.createFile(dir, to.getFileName().toString(), ".part");
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
        record(to, sha256(to));
    }

    /** Notes that {@code file} (in the cache) has this digest now. */
    void record(Path file, String sha256) throws IOException {
        CachedFileRecord.of(file, sha256).write(file);
    }

    /**
     * The cheap check on load: each file's size and time against its record; a file without a record, or changed since,
     * is hashed and compared with the catalogue's SHA-256 (or the recorded one when the catalogue has none).
     *
     * @return what is wrong, or empty when the cached model can be used
     */
    public Optional<String> check(CatalogEntry entry) {
        return check(entry, false);
    }

    /** As {@link #check}, hashing every file whatever its record says ({@code models verify}). */
    public Optional<String> verify(CatalogEntry entry) {
        return check(entry, true);
    }

    private Optional<String> check(CatalogEntry entry, boolean full) {
        ModelFiles files = files(entry);
        CatalogEntry.FileSpec[] specs = {entry.param(), entry.bin()};
        Path[] paths = {files.param(), files.bin()};
        for (int i = 0; i < 2; i++) {
            Path file = paths[i];
            if (!Files.isRegularFile(file)) return Optional.of(file + " is missing");
            Optional<CachedFileRecord> record = CachedFileRecord.read(file);
            String expected = specs[i].sha256() != null && !specs[i].sha256().isBlank() ? specs[i].sha256().strip().toLowerCase(Locale.ROOT)
                    : record.map(CachedFileRecord::sha256).orElse(null);
            if (!full && record.isPresent() && record.get().matches(file) && (expected == null || expected.equalsIgnoreCase(record.get().sha256())))
                continue;
            try {
                String actual = sha256(file);
                if (expected != null && !expected.equalsIgnoreCase(actual))
                    return Optional.of("the cached " + file + " does not match its SHA-256 (" + actual + ", expected " + expected
                            + "): it was modified or damaged");
                record(file, actual);
            } catch (IOException e) {
                return Optional.of("cannot read the cached " + file + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Deletes the entry's files and their records. */
    public void remove(CatalogEntry entry) throws IOException {
        ModelFiles files = files(entry);
        for (Path p : new Path[] {files.param(), files.bin()}) {
            Files.deleteIfExists(p);
            Files.deleteIfExists(CachedFileRecord.sidecar(p));
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
