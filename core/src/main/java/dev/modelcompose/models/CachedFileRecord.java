package dev.modelcompose.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What was true of a cached file when it was last verified: its size, modification time and SHA-256, kept next to it
 * as {@code .NAME.verified}. Loading compares size and time (cheap); only a file that changed since is hashed again.
 */
record CachedFileRecord(long size, long modifiedMillis, String sha256) {
    static Path sidecar(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".verified");
    }

    static Optional<CachedFileRecord> read(Path file) {
        try {
            String[] parts = Files.readString(sidecar(file), StandardCharsets.UTF_8).strip().split(" ");
            if (parts.length != 3) return Optional.empty();
            return Optional.of(new CachedFileRecord(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts[2]));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The record of the file as it is now, with a digest computed by the caller. */
    static CachedFileRecord of(Path file, String sha256) throws IOException {
        return new CachedFileRecord(Files.size(file), Files.getLastModifiedTime(file).toMillis(), sha256);
    }

    /** Whether size and modification time still match (the cheap check). */
    boolean matches(Path file) {
        try {
            return Files.size(file) == size && Files.getLastModifiedTime(file).toMillis() == modifiedMillis;
        } catch (IOException e) {
            return false;
        }
    }

    void write(Path file) throws IOException {
        Path target = sidecar(file);
        Path temp = TempFolders.createFile(file.getParent(), "verified", ".part");
        try {
            Files.writeString(temp, size + " " + modifiedMillis + " " + sha256 + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
