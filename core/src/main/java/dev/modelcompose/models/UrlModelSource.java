package dev.modelcompose.models;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The {@code url} provider: a file at an http(s) URL, or one file inside an archive there
 * ({@code .zip}, {@code .tar.gz}, {@code .tgz}, {@code .tar}). Everything lives in
 * {@code <model-compose cache>/downloads/<sha256 of the URL>/}: the file under its own name, or an
 * archive's contents under {@code extracted/} (unpacked into a temporary directory and renamed into
 * place; the archive is then deleted).
 */
public final class UrlModelSource {
    private static final List<String> ARCHIVES = List.of(".tar.gz", ".tgz", ".tar", ".zip");

    private final ModelEnvironment env;
    private final HttpDownloader http;
    private final Consumer<String> log;

    public UrlModelSource(ModelEnvironment env, HttpDownloader http, Consumer<String> log) {
        this.env = env;
        this.http = http;
        this.log = log;
    }

    /** The cache directory of {@code url}. */
    public Path dirOf(String url) {
        return env.downloadsDir().resolve(HuggingFaceHub.sha256Hex(url));
    }

    /**
     * @param url          http or https URL
     * @param pathInArchive for an archive, the file to return (relative to the archive's root); null returns the extracted directory
     * @param sha256       expected SHA-256 of what the URL serves (the archive itself for archives), or null
     */
    public Path fetch(String url, String pathInArchive, String sha256) {
        URI uri = parse(url);
        String name = fileName(uri);
        String archive = archiveSuffix(name);
        Path dir = dirOf(url);
        if (archive == null) {
            if (pathInArchive != null && !pathInArchive.isBlank())
                throw new ModelFetchException("model: 'path' picks a file inside an archive, but " + url
                        + " is not a .zip, .tar.gz, .tgz or .tar archive");
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                log.accept("downloading " + HttpDownloader.display(uri) + " into " + dir);
                http.download(uri, Map.of(), dir.resolve(name + ".incomplete"), file, sha256, -1, name, dir.resolve(".lock"));
            }
            return file;
        }
        Path extracted = dir.resolve("extracted");
        if (!Files.isDirectory(extracted)) {
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                log.accept("downloading " + HttpDownloader.display(uri) + " into " + dir);
                http.download(uri, Map.of(), dir.resolve(name + ".incomplete"), file, sha256, -1, name, dir.resolve(".lock"));
            }
            extract(file, archive, extracted);
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the extracted copy is what counts
            }
        }
        if (pathInArchive == null || pathInArchive.isBlank()) return extracted;
        Path inside = extracted.resolve(stripSlashes(pathInArchive)).normalize();
        if (!inside.startsWith(extracted)) throw new ModelFetchException("model: path '" + pathInArchive + "' leaves the archive");
        if (!Files.exists(inside))
            throw new ModelFetchException("model: '" + pathInArchive + "' is not in the archive " + url + " (it holds: " + listing(extracted) + ")");
        return inside;
    }

    static URI parse(String url) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new ModelFetchException("model: '" + url + "' is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null)
            throw new ModelFetchException("model: '" + url + "' is not an http(s) URL");
        return uri;
    }

    static String fileName(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        last = URLDecoder.decode(last, StandardCharsets.UTF_8);
        last = last.replaceAll("[\\\\/:*?\"<>|\\x00-\\x1f]", "_");
        if (last.isEmpty() || last.equals(".") || last.equals("..") || last.equals("extracted")) return "download";
        return last;
    }

    static String archiveSuffix(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String s : ARCHIVES) if (lower.endsWith(s)) return s;
        return null;
    }

    /** Unpacks into a temporary sibling of {@code target}, then renames it to {@code target}. */
    static void extract(Path archiveFile, String type, Path target) {
        Path temp = null;
        try {
            temp = Files.createTempDirectory(target.getParent(), ".extract-");
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(archiveFile));
                 ArchiveInputStream<? extends ArchiveEntry> in = open(raw, type)) {
                ArchiveEntry entry;
                while ((entry = in.getNextEntry()) != null) {
                    if (!in.canReadEntryData(entry)) continue;
                    String entryName = stripSlashes(entry.getName());
                    if (entryName.isEmpty()) continue;
                    Path out = temp.resolve(entryName).normalize();
                    if (!out.startsWith(temp)) throw new IOException("archive entry '" + entry.getName() + "' points outside the archive");
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (isRegularFile(entry)) {
                        Files.createDirectories(out.getParent());
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                    // links and devices are skipped
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target);
            }
            temp = null;
        } catch (IOException e) {
            if (Files.isDirectory(target)) return;  // another process finished first
            throw new ModelFetchException("cannot unpack " + archiveFile.getFileName() + ": " + e.getMessage(), e);
        } finally {
            deleteTree(temp);
        }
    }

    private static ArchiveInputStream<? extends ArchiveEntry> open(InputStream raw, String type) throws IOException {
        return switch (type) {
            case ".zip" -> new ZipArchiveInputStream(raw);
            case ".tar" -> new TarArchiveInputStream(raw);
            default -> new TarArchiveInputStream(new GzipCompressorInputStream(raw));
        };
    }

    private static boolean isRegularFile(ArchiveEntry entry) {
        if (entry instanceof org.apache.commons.compress.archivers.tar.TarArchiveEntry t) return t.isFile();
        if (entry instanceof org.apache.commons.compress.archivers.zip.ZipArchiveEntry z) return !z.isDirectory() && !z.isUnixSymlink();
        return !entry.isDirectory();
    }

    private static String stripSlashes(String name) {
        String n = name.replace('\\', '/');
        while (n.startsWith("./")) n = n.substring(2);
        while (n.startsWith("/")) n = n.substring(1);
        return n;
    }

    private static String listing(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<String> files = new ArrayList<>(walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted().limit(21).toList());
            if (files.isEmpty()) return "no files";
            if (files.size() > 20) {
                files = new ArrayList<>(files.subList(0, 20));
                files.add("...");
            }
            return String.join(", ", files);
        } catch (IOException e) {
            return "unreadable";
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
