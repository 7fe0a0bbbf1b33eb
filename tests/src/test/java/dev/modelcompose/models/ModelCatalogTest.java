package dev.modelcompose.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelCatalogTest {
    private final ModelCatalog catalog = ModelCatalog.builtIn();

    @Test
    void everyEntryIsComplete() {
        for (CatalogEntry e : catalog.entries()) {
            assertTrue(e.scale() >= 1, e.name());
            assertTrue(e.architecture() != null && e.license() != null && !e.sources().isEmpty(), e.name());
        }
    }

    @Test
    void namesResolveAsUsersWriteThem() {
        assertEquals("realesrgan-x4", catalog.find("RealESRGAN_x4", null).orElseThrow().name());
        assertEquals("realesrgan-x8", catalog.find("RealESRGAN_x8", null).orElseThrow().name());
        assertEquals("realesr-animevideov3-x2", catalog.find("realesr-animevideov3", 2).orElseThrow().name());
        assertEquals("realesr-animevideov3-x4", catalog.find("realesr-animevideov3", null).orElseThrow().name());
        assertEquals("realesrgan-x4plus", catalog.find("realesrgan-x4plus", 4).orElseThrow().name());
        assertTrue(catalog.find("no-such-model", null).isEmpty());
    }
}
