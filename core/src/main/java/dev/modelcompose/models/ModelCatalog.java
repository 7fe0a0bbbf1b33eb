package dev.modelcompose.models;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** The models we know by name (models/catalog.json, packaged in the jar). */
public final class ModelCatalog {
    private record CatalogFile(List<CatalogEntry> models) {}

    private final List<CatalogEntry> entries;

    private ModelCatalog(List<CatalogEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** A catalogue of these entries (for embedding applications and tests). */
    public static ModelCatalog of(List<CatalogEntry> entries) {
        return new ModelCatalog(entries);
    }

    public static ModelCatalog builtIn() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream("/models/catalog.json")) {
            if (in == null) throw new IllegalStateException("models/catalog.json is missing from the jar");
            ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            return new ModelCatalog(mapper.readValue(in, CatalogFile.class).models());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model catalogue", e);
        }
    }

    public List<CatalogEntry> entries() {
        return entries;
    }

    /** Finds {@code name}, or {@code name-xSCALE} (so realesr-animevideov3 with scale 2 is realesr-animevideov3-x2). */
    public Optional<CatalogEntry> find(String name, Integer scale) {
        if (scale != null) {
            Optional<CatalogEntry> scaled = byName(name + "-x" + scale);
            if (scaled.isPresent()) return scaled;
        }
        Optional<CatalogEntry> exact = byName(name);
        if (exact.isPresent() || scale != null) return exact;
        return byName(name + "-x4");
    }

    /** Names match ignoring case and '_' versus '-', so ai-forever's RealESRGAN_x4 is realesrgan-x4. */
    private Optional<CatalogEntry> byName(String name) {
        String wanted = normalize(name);
        return entries.stream().filter(e -> normalize(e.name()).equals(wanted)).findFirst();
    }

    private static String normalize(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
