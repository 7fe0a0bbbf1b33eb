package dev.modelcompose.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.compose.ComposeLoader;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.imaging.ImageFiles;
import dev.modelcompose.imaging.ImageFormat;
import dev.modelcompose.models.pth.PthConverter;
import dev.modelcompose.expr.ByteSource;
import dev.modelcompose.runtime.ComposeRuntime;
import dev.modelcompose.runtime.ModelSource;
import dev.modelcompose.runtime.RuntimeOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example's compose file, unchanged, end to end: its Hugging Face model
 * (ai-forever/Real-ESRGAN, RealESRGAN_x4.pth) is served by a loopback stand-in for the Hub, holding
 * a real PyTorch checkpoint of that architecture (random weights, 2 blocks to stay fast).
 */
@Tag("pytorch")
class ExampleWithHubTest {
    @TempDir
    Path dir;

    @Test
    void theExampleComposeFileRunsWithItsHuggingFaceModel() throws Exception {
        Path checkpoints = Files.createDirectories(dir.resolve("pth"));
        Process p = new ProcessBuilder("/usr/bin/python3", "tests/src/test/resources/pth/make_checkpoints.py", checkpoints.toString(),
                "rrdb_x4_small").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0, "writing the checkpoint with PyTorch failed:\n" + log);

        try (FakeHub hub = new FakeHub()) {
            hub.addRepoFile("ai-forever/Real-ESRGAN", "RealESRGAN_x4.pth", Files.readAllBytes(checkpoints.resolve("rrdb_x4_small.pth")));
            ModelEnvironment env = ModelEnvironment.of(Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HUB_CACHE", dir.resolve("hub").toString()), dir);
            ModelProvisioner provisioner = ModelProvisioner.standard(line -> {})
                    .withDownloader(new ModelDownloader(env, new HttpDownloader(), line -> {}))
                    .withConverter(new PthConverter(dir.resolve("converted"))::convert);

            Path example = Path.of("examples/model-tasks/image-upscale/model-compose.yml").toAbsolutePath();
            ComposeLoader.Options load = new ComposeLoader.Options(example.getParent(), List.of(example), List.of(), List.of(), Map.of());
            try (ComposeRuntime rt = ComposeRuntime.load(load, RuntimeOptions.defaults().withModels(ModelSource.of(provisioner)))) {
                rt.start();
                BufferedImage in = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 16; y++)
                    for (int x = 0; x < 24; x++) in.setRGB(x, y, (x * 10) << 16 | (y * 15) << 8 | 128);
                ByteSource upload = ByteSource.of(ImageFiles.encode(in, ImageFormat.PNG), "image/png", "in.png");
                BufferedImage out = assertInstanceOf(BufferedImage.class, rt.run("image-upscale", Map.of("image", upload)));
                assertEquals(96, out.getWidth());
                assertEquals(64, out.getHeight());
            }
            assertTrue(Files.isDirectory(dir.resolve("hub/models--ai-forever--Real-ESRGAN/snapshots")), "the Hub cache layout is used");
        }
    }
}
