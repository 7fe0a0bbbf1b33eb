package dev.modelcompose.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.models.ModelCache;
import dev.modelcompose.models.ModelCatalog;
import dev.modelcompose.models.ModelProvisioner;
import dev.modelcompose.models.ModelResolver;
import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The image-upscale component on the real runner with the small realesr-animevideov3 models of the test assets. */
class RealModelRuntimeTest {
    @TempDir
    Path dir;

    /** Catalogue names resolve in the test assets, which hold the catalogue's files: nothing is downloaded. */
    private static ModelSource testAssetsCatalogue() {
        return ModelSource.of(new ModelProvisioner(new ModelResolver(ModelCatalog.builtIn(), new ModelCache(TestAssets.models()),
                line -> { throw new AssertionError("tests must not fetch models: " + line); })));
    }

    private ComposeRuntime runtime(String model, String scale) {
        String yaml = """
                workflow:
                  job: {input: "${input}", output: "${output as image}"}
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: MODEL
                  scale: SCALE
                  max_concurrent_count: 1
                  action:
                    image: ${input.image as image}
                    params: {tile_size: 32, tile_pad_size: 8}
                """.replace("MODEL", model).replace("SCALE", scale);
        return ComposeRuntime.create(ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of()),
                new RuntimeOptions(testAssetsCatalogue(), null, false, null));
    }

    private static ByteSource upload(int w, int h, boolean alpha) throws Exception {
        BufferedImage img = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, (alpha ? 0x80000000 : 0xFF000000) | (x * 11 & 0xFF) << 16 | (y * 13 & 0xFF) << 8 | 90);
        return ByteSource.of(ImageFiles.encode(img, ImageFormat.PNG), "image/png", "in.png");
    }

    @Test
    void aLocalParamPathUpscalesFourTimes() throws Exception {
        String param = TestAssets.models().resolve("realesr-animevideov3-x4.param").toString();
        try (ComposeRuntime rt = runtime(param, "4")) {
            BufferedImage out = assertInstanceOf(BufferedImage.class, rt.run(null, Map.of("image", upload(20, 12, false))));
            assertEquals(80, out.getWidth());
            assertEquals(48, out.getHeight());
            BufferedImage rgba = (BufferedImage) rt.run(null, Map.of("image", upload(16, 16, true)));
            assertEquals(64, rgba.getWidth());
            assertTrue(rgba.getColorModel().hasAlpha(), "alpha is kept");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"0\"", "[0, cpu]"})
    void aGpuIndexOrAListWithTheCpuRunsTheComponentOnVulkan(String device) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.modelcompose.upscale.GpuDevices.list().isEmpty(),
                "no Vulkan device here (CI has lavapipe)");
        String param = TestAssets.models().resolve("realesr-animevideov3-x4.param").toString();
        String yaml = """
                workflow:
                  job: {input: "${input}", output: "${output as image}"}
                component:
                  type: model
                  task: image-upscale
                  family: real-esrgan
                  model: MODEL
                  scale: 4
                  device: DEVICE
                  action:
                    image: ${input.image as image}
                """.replace("MODEL", param).replace("DEVICE", device);
        try (ComposeRuntime rt = ComposeRuntime.create(ComposeLoader.loadString(yaml, "model-compose.yml", dir, Map.of()),
                new RuntimeOptions(testAssetsCatalogue(), null, false, null))) {
            BufferedImage out = (BufferedImage) rt.run(null, Map.of("image", upload(12, 8, false)));
            assertEquals(48, out.getWidth());
            assertEquals(32, out.getHeight());
        }
    }

    @Test
    void aCatalogueNameWithScaleTwoUsesTheCachedX2Model() throws Exception {
        for (String name : new String[] {"realesr-animevideov3-x2", "realesr-animevideov3"}) {
            try (ComposeRuntime rt = runtime(name, "2")) {
                BufferedImage out = (BufferedImage) rt.run(null, Map.of("image", upload(10, 6, false)));
                assertEquals(20, out.getWidth(), name);
                assertEquals(12, out.getHeight(), name);
            }
        }
    }

    @Test
    void aScaleTheModelDoesNotHaveFailsClearly() throws Exception {
        String param = TestAssets.models().resolve("realesr-animevideov3-x4.param").toString();
        try (ComposeRuntime rt = runtime(param, "2")) {
            WorkflowException e = assertThrows(WorkflowException.class, () -> rt.run(null, Map.of("image", upload(4, 4, false))));
            assertTrue(e.getMessage().contains("scale 2 does not match the model realesr-animevideov3-x4, which upscales x4"), e.getMessage());
        }
    }
}
