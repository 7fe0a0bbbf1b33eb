package dev.modelcompose.cli;

import static dev.modelcompose.cli.CliResult.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelcompose.testing.TestAssets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process: real images, real models, exit codes and messages. */
class CliTest {
    @TempDir
    Path dir;

    private Path image(String name, int w, int h, int type) throws Exception {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, 0xFF000000 | (x * 7 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | (x ^ y) & 0xFF);
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void upscalesOneFileWithTheOfficialFlags() throws Exception {
        Path in = image("in.png", 30, 20, BufferedImage.TYPE_INT_RGB);
        Path out = dir.resolve("out.png");
        CliResult r = run("upscale", "-i", in.toString(), "-o", out.toString(), "-m", TestAssets.models().toString(), "-n",
                "realesr-animevideov3", "-s", "2");
        assertEquals(0, r.exit(), r.err());
        BufferedImage result = ImageIO.read(out.toFile());
        assertEquals(60, result.getWidth());
        assertEquals(40, result.getHeight());
    }

    @Test
    void batchModeContinuesPastABadFileAndFailsAtTheEnd() throws Exception {
        Path inDir = Files.createDirectories(dir.resolve("in"));
        Files.move(image("a.png", 16, 12, BufferedImage.TYPE_INT_ARGB), inDir.resolve("a.png"));
        Files.move(image("b.png", 12, 16, BufferedImage.TYPE_BYTE_GRAY), inDir.resolve("b.png"));
        Files.writeString(inDir.resolve("notes.txt"), "not an image");
        Path outDir = dir.resolve("out");
        CliResult r = run("upscale", "-i", inDir.toString(), "-o", outDir.toString(), "-m", TestAssets.models().toString(), "-n",
                "realesr-animevideov3-x4", "-f", "png");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("notes.txt"), r.err());
        BufferedImage a = ImageIO.read(outDir.resolve("a.png").toFile());
        assertEquals(64, a.getWidth());
        assertTrue(a.getColorModel().hasAlpha(), "alpha is kept");
        BufferedImage b = ImageIO.read(outDir.resolve("b.png").toFile());
        assertEquals(64, b.getHeight());
        assertFalse(Files.exists(outDir.resolve("notes.png")));
    }

    @Test
    void aScaleTheModelDoesNotHaveIsAnError() throws Exception {
        Path in = image("in.png", 8, 8, BufferedImage.TYPE_INT_RGB);
        CliResult r = run("upscale", "-i", in.toString(), "-o", dir.resolve("o.png").toString(), "-m", TestAssets.models().toString(),
                "-n", "realesrgan-x4fast", "-s", "2");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("x4") && r.err().contains("not x2"), r.err());
        assertFalse(Files.exists(dir.resolve("o.png")));
    }

    @Test
    void anUnknownModelListsWhatIsAvailable() throws Exception {
        Path in = image("in.png", 8, 8, BufferedImage.TYPE_INT_RGB);
        CliResult r = run("upscale", "-i", in.toString(), "-o", dir.resolve("o.png").toString(), "-m", TestAssets.models().toString(),
                "-n", "no-such-model");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no-such-model") && r.err().contains("realesrgan-x4plus"), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace or exception name: " + r.err());
    }

    @Test
    void devicesListsTheCpu() {
        CliResult r = run("devices");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("-1") && r.out().contains("oneDNN"), r.out());
    }

    @Test
    void helpDescribesTheFlags() {
        CliResult r = run("upscale", "--help");
        assertEquals(0, r.exit());
        for (String flag : new String[] {"-i", "-o", "-n", "-m", "-s", "-t", "-g", "-x", "-f", "--tile-pad", "--pre-pad", "--precision"})
            assertTrue(r.out().contains(flag), "help mentions " + flag);
    }
}
