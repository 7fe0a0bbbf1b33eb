package dev.modelcompose.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Temporary files and folders of downloads inside the model caches, named {@code .tmp-PID-KIND-...} after the process
 * that made them, so that the next run can remove those a killed process left behind (a {@code models pull} killed
 * half-way leaves hundreds of megabytes) without touching those of a download still running in another process.
 */
public final class TempFolders {
    private static final Pattern OWNED = Pattern.compile("\\.tmp-(\\d+)-.*");
    /** Names of releases before the process id was part of them: removed once they are this old. */
    private static final Pattern LEGACY = Pattern.compile("\\.npm-.*|\\..*\\.part");
    private static final Duration LEGACY_AGE = Duration.ofHours(1);

    private TempFolders() {}

    /** The name prefix for this process's temporaries of a kind ({@code npm}, {@code model.bin}). */
    public static String prefix(String kind) {
        return ".tmp-" + ProcessHandle.current().pid() + "-" + kind + "-";
    }

    public static Path createDirectory(Path parent, String kind) throws IOException {
        return Files.createTempDirectory(parent, prefix(kind));
    }

    public static Path createFile(Path parent, String kind, String suffix) throws IOException {
        return Files.createTempFile(parent, prefix(kind), suffix);
    }

    /**
     * Deletes the temporaries in {@code dir} (not below it) whose process has ended. Best effort: what cannot be
     * deleted is left.
     *
     * @return how many were deleted
     */
    public static int removeAbandoned(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.toList();
        } catch (IOException e) {
            return 0;
        }
        int removed = 0;
        for (Path p : entries) {
            if (abandoned(p)) {
                deleteTree(p);
                removed++;
            }
        }
        return removed;
    }

    private static boolean abandoned(Path p) {
        String name = p.getFileName().toString();
        Matcher m = OWNED.matcher(name);
        if (m.matches()) {
            try {
                long pid = Long.parseLong(m.group(1));
                return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true);
            } catch (NumberFormatException e) {
                return true;
            }
        }
        if (!LEGACY.matcher(name).matches()) return false;
        try {
            FileTime modified = Files.getLastModifiedTime(p);
            return modified.toInstant().isBefore(Instant.now().minus(LEGACY_AGE));
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover does not affect the cache
        }
    }
}
